package io.mnistspark.cli;

import io.mnistspark.config.ConfigException;
import io.mnistspark.data.IdxFormatException;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.OutputExistsException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a failed command's message in one line (the stack trace only with {@code --stacktrace}) and maps the failure
 * to an exit code, so that users see what is wrong with which file rather than a trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        Throwable cause = userFacingCause(e);
        command.getErr().println("mnist-spark: " + cause.getMessage());
        if (LoggingOptions.stacktraceRequested(parseResult)) {
            e.printStackTrace(command.getErr());
        } else if (exitCode(cause) == ExitCodes.FAILURE) {
            command.getErr().println("(run again with --stacktrace for the details)");
        }
        command.getErr().flush();
        return exitCode(cause);
    }

    static int exitCode(Throwable e) {
        if (e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE; // the mapper sees picocli's own parse errors too
        }
        Throwable cause = userFacingCause(e);
        if (cause instanceof IdxFormatException
                || cause instanceof ConfigException
                || cause instanceof ModelStore.ModelNotFoundException) {
            return ExitCodes.BAD_INPUT;
        }
        if (cause instanceof OutputExistsException) {
            return ExitCodes.OUTPUT_EXISTS;
        }
        return ExitCodes.FAILURE;
    }

    /** Spark wraps executor failures; the first of ours in the chain is the one that explains. */
    private static Throwable userFacingCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IdxFormatException
                    || t instanceof ConfigException
                    || t instanceof OutputExistsException
                    || t instanceof ModelStore.ModelNotFoundException) {
                return t;
            }
        }
        return e;
    }
}
