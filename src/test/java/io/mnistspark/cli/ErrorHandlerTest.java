package io.mnistspark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.config.ConfigException;
import io.mnistspark.data.IdxFormatException;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.OutputExistsException;
import io.mnistspark.output.OutputWriteException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** How a failed command is reported: the exit code each failure maps to, and the one line printed on err. */
class ErrorHandlerTest {

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();

    @Test
    void exitCode_parameterException_isUsage() {
        assertEquals(
                ExitCodes.USAGE,
                ErrorHandler.exitCode(new CommandLine.ParameterException(MnistCli.commandLine(), "Missing command")));
    }

    @Test
    void exitCode_badDataConfigOrModel_isBadInput() {
        assertEquals(ExitCodes.BAD_INPUT, ErrorHandler.exitCode(new IdxFormatException("train-images: bad magic")));
        assertEquals(ExitCodes.BAD_INPUT, ErrorHandler.exitCode(new ConfigException("'train.epochs' must be >= 1")));
        assertEquals(ExitCodes.BAD_INPUT, ErrorHandler.exitCode(new ModelStore.ModelNotFoundException("no model")));
    }

    @Test
    void exitCode_existingOutput_isOutputExists() {
        assertEquals(ExitCodes.OUTPUT_EXISTS, ErrorHandler.exitCode(new OutputExistsException("out exists")));
    }

    @Test
    void exitCode_ourExceptionWrappedBySpark_isTheWrappedOnesCode() {
        Exception executorFailure = new SparkException(
                "Job aborted due to stage failure",
                new RuntimeException("Task 0 failed", new IdxFormatException("t10k-images: truncated")));

        assertEquals(ExitCodes.BAD_INPUT, ErrorHandler.exitCode(executorFailure));
        assertEquals(
                ExitCodes.OUTPUT_EXISTS,
                ErrorHandler.exitCode(new RuntimeException("wrapped", new OutputExistsException("out exists"))));
    }

    @Test
    void exitCode_firstOfOursInTheChain_decides() {
        assertEquals(
                ExitCodes.BAD_INPUT,
                ErrorHandler.exitCode(new ConfigException("bad key", new OutputExistsException("out exists"))));
    }

    @Test
    void exitCode_anythingElse_isFailure() {
        assertEquals(ExitCodes.FAILURE, ErrorHandler.exitCode(new IllegalStateException("bug")));
        assertEquals(ExitCodes.FAILURE, ErrorHandler.exitCode(new SparkException("executor lost")));
        assertEquals(
                ExitCodes.FAILURE,
                ErrorHandler.exitCode(new OutputWriteException("Cannot write x", new IOException("disk full"))));
    }

    @Test
    void handle_badInput_printsOnlyTheMessage_andReturnsItsCode() {
        ParseResult train = parsed("train");

        int code = new ErrorHandler()
                .handleExecutionException(new ConfigException("'train.epochs' must be >= 1"), subcommand(train), train);

        assertEquals(ExitCodes.BAD_INPUT, code);
        assertEquals("mnist-spark: 'train.epochs' must be >= 1" + System.lineSeparator(), err.toString());
    }

    @Test
    void handle_wrappedFailure_printsTheInnerMessageNotSparks() {
        ParseResult train = parsed("train");
        Exception executorFailure = new SparkException(
                "Job aborted due to stage failure", new IdxFormatException("t10k-images: truncated"));

        int code = new ErrorHandler().handleExecutionException(executorFailure, subcommand(train), train);

        assertEquals(ExitCodes.BAD_INPUT, code);
        assertEquals("mnist-spark: t10k-images: truncated" + System.lineSeparator(), err.toString());
    }

    @Test
    void handle_unexpectedFailure_pointsToStacktrace() {
        ParseResult train = parsed("train");

        int code =
                new ErrorHandler().handleExecutionException(new IllegalStateException("bug"), subcommand(train), train);

        assertEquals(ExitCodes.FAILURE, code);
        assertEquals(
                "mnist-spark: bug" + System.lineSeparator() + "(run again with --stacktrace for the details)"
                        + System.lineSeparator(),
                err.toString());
    }

    @Test
    void handle_withStacktraceOption_printsTheTraceInsteadOfTheHint() {
        ParseResult train = parsed("train", "--stacktrace");

        new ErrorHandler().handleExecutionException(new IllegalStateException("bug"), subcommand(train), train);

        assertTrue(
                err.toString()
                        .startsWith(
                                "mnist-spark: bug" + System.lineSeparator() + "java.lang.IllegalStateException: bug"),
                err.toString());
        assertFalse(err.toString().contains("run again with --stacktrace"), err.toString());
    }

    @Test
    void commandLine_installsTheHandler_soAFailingCommandExitsWithItsCode() {
        // Train's configuration fails before any Spark session is created
        CommandLine cli = MnistCli.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        Path absent = tmp.resolve("absent.properties");

        assertEquals(ExitCodes.BAD_INPUT, cli.execute("train", "--conf", absent.toString()));
        assertEquals("mnist-spark: Configuration file not found: " + absent + System.lineSeparator(), err.toString());
    }

    /** What picocli hands the handler: the parse result of the whole command line, printing to {@link #err}. */
    private ParseResult parsed(String... args) {
        return MnistCli.commandLine().setErr(new PrintWriter(err)).parseArgs(args);
    }

    private static CommandLine subcommand(ParseResult parsed) {
        return parsed.subcommand().commandSpec().commandLine();
    }
}
