package io.mnistspark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import io.mnistspark.config.OuterOptimizerKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Parsing on the real command tree of {@link MnistCli#commandLine()}: no command is run, no Spark is started. */
class CliParsingTest {

    @TempDir
    Path tmp;

    @Test
    void root_registersEveryCommand() {
        assertEquals(
                Set.of("train", "evaluate", "predict", "render", "serve", "doctor", "fetch-data", "help"),
                MnistCli.commandLine().getSubcommands().keySet());
    }

    @Test
    void train_options_landInTheirFields() {
        TrainCommand train = parse(
                TrainCommand.class,
                "train",
                "--epochs",
                "3",
                "--seed",
                "7",
                "--outer-optimizer",
                "none",
                "--resume",
                "--data-dir",
                "/data",
                "--output",
                "/out",
                "--overwrite",
                "--test-limit",
                "10",
                "--stacktrace");

        assertEquals(3, train.epochs);
        assertEquals(7L, train.seed);
        assertEquals("none", train.outerOptimizer);
        assertTrue(train.resume);
        assertEquals("/data", train.job.dataDir);
        assertEquals("/out", train.job.output);
        assertTrue(train.job.overwrite);
        assertEquals(10, train.job.testLimit);
        assertTrue(train.logging.stacktrace);
    }

    @Test
    void train_optionsNotGiven_showTheBundledDefaults_andTheConfigurationDecides() {
        TrainCommand train = parse(TrainCommand.class, "train");

        assertEquals(ConfigLoader.defaultValue(ConfigKeys.EPOCHS), String.valueOf(train.epochs));
        assertEquals(ConfigLoader.defaultValue(ConfigKeys.DATA_DIR), train.job.dataDir);
        assertFalse(train.resume);
        assertFalse(train.job.overwrite);
        assertEquals(ConfigLoader.defaults(), train.config());
    }

    @Test
    void train_help_showsEveryConfiguredDefault() {
        StringWriter help = new StringWriter();
        CommandLine train = MnistCli.commandLine().getSubcommands().get("train");
        train.usage(new PrintWriter(help));

        assertTrue(
                help.toString()
                        .contains("Passes over the training set.\n                               Default: "
                                + ConfigLoader.defaultValue(ConfigKeys.EPOCHS)),
                help.toString());
        assertTrue(help.toString().contains("Default: " + ConfigLoader.defaultValue(ConfigKeys.OUTER_OPTIMIZER)));
    }

    @Test
    void defaultsShownByHelp_doNotOverrideTheConfFile() throws IOException {
        Path conf = Files.writeString(tmp.resolve("my.properties"), "train.epochs = 5\n");

        TrainCommand train = parse(TrainCommand.class, "train", "--conf", conf.toString());

        assertEquals(5, train.config().epochs());
    }

    @Test
    void predict_honoursTheConfFile_andMasterBeatsIt() throws IOException {
        Path conf = Files.writeString(tmp.resolve("my.properties"), "spark.master = local[1]\n");

        assertEquals(
                "local[1]",
                parse(PredictCommand.class, "predict", "--model", "m.zip", "--conf", conf.toString(), "a.csv")
                        .config()
                        .sparkMaster());
        assertEquals(
                "local[2]",
                parse(
                                PredictCommand.class,
                                "predict",
                                "--model",
                                "m.zip",
                                "--conf",
                                conf.toString(),
                                "--master",
                                "local[2]",
                                "a.csv")
                        .config()
                        .sparkMaster());
    }

    @Test
    void fetchData_takesItsFolderFromTheConfFile() throws IOException {
        Path conf = Files.writeString(tmp.resolve("my.properties"), "data.dir = /elsewhere\n");

        FetchDataCommand fetch = parse(FetchDataCommand.class, "fetch-data", "--conf", conf.toString());

        assertEquals("/elsewhere", fetch.configuration.resolve(fetch.spec).dataDir());
    }

    @Test
    void train_everyOption_overridesItsConfigurationKey() {
        // Every value differs from conf/mnist-cnn.properties, so an option mapped onto a wrong key shows here
        TrainCommand train = parse(
                TrainCommand.class,
                "train",
                "--data-dir",
                "/data",
                "--output",
                "/out",
                "--overwrite",
                "--resume",
                "--train-limit",
                "100",
                "--test-limit",
                "10",
                "--validation-images",
                "50",
                "--epochs",
                "3",
                "--learning-rate",
                "0.01",
                "--learning-rate-decay",
                "0.5",
                "--seed",
                "7",
                "--batch-size-per-worker",
                "16",
                "--steps-per-epoch",
                "5",
                "--averaging-frequency",
                "4",
                "--rounds-per-epoch",
                "2",
                "--outer-optimizer",
                "none",
                "--outer-learning-rate",
                "1.0",
                "--outer-momentum",
                "0.5",
                "--prefetch-batches",
                "1",
                "--checkpoint-dir",
                "/checkpoints",
                "--checkpoint-every-rounds",
                "3",
                "--workers",
                "2",
                "--master",
                "local[2]");

        assertEquals(
                new JobConfig(
                        "/data",
                        "/out",
                        true,
                        true,
                        100,
                        10,
                        50,
                        3,
                        0.01,
                        0.5,
                        7L,
                        16,
                        5,
                        4,
                        2,
                        OuterOptimizerKind.NONE,
                        1.0,
                        0.5,
                        1,
                        "/checkpoints",
                        3,
                        2,
                        "local[2]"),
                train.config());
    }

    @Test
    void train_optionBeatsConfFile_confFileBeatsDefaults() throws IOException {
        Path conf = Files.writeString(tmp.resolve("my.properties"), "train.epochs = 5\ntrain.seed = 9\n");

        TrainCommand train = parse(TrainCommand.class, "train", "--conf", conf.toString(), "--epochs", "3");

        assertEquals(3, train.config().epochs());
        assertEquals(9L, train.config().seed());
    }

    @Test
    void evaluate_readsModelAndJobOptions() {
        EvaluateCommand evaluate = parse(
                EvaluateCommand.class, "evaluate", "--model", "/runs/a", "--data-dir", "/data", "--output", "/out");

        assertEquals("/runs/a", evaluate.modelOption.model);
        JobConfig config = evaluate.configuration.resolve(evaluate.spec);
        assertEquals("/data", config.dataDir());
        assertEquals("/out", config.outputDir());
        assertFalse(config.overwrite());
    }

    @Test
    void predict_takesSeveralInputs() {
        PredictCommand predict = parse(PredictCommand.class, "predict", "--model", "m.zip", "a.csv", "digits/");

        assertEquals(List.of("a.csv", "digits/"), predict.inputs);
        assertNull(predict.output);
    }

    @Test
    void render_andServe_applyTheirDocumentedDefaults() {
        RenderCommand render = parse(RenderCommand.class, "render", "a.csv");
        ServeCommand serve = parse(ServeCommand.class, "serve", "--model", "m.zip");

        assertEquals(10, render.scale);
        assertEquals(42L, render.seed);
        assertEquals(10, render.count);
        assertEquals("127.0.0.1", serve.host);
        assertEquals(8080, serve.port);
    }

    @Test
    void unknownOption_isAParameterException() {
        ParameterException e = assertThrows(
                ParameterException.class, () -> MnistCli.commandLine().parseArgs("train", "--epoch", "3"));

        assertInstanceOf(UnmatchedArgumentException.class, e);
        assertTrue(e.getMessage().contains("--epoch"), e.getMessage());
    }

    @Test
    void badValue_isAParameterExceptionNamingOptionAndValue() {
        ParameterException e = assertThrows(
                ParameterException.class, () -> MnistCli.commandLine().parseArgs("train", "--epochs", "three"));

        assertTrue(e.getMessage().contains("--epochs") && e.getMessage().contains("three"), e.getMessage());
    }

    @Test
    void modelCommands_withoutModel_areMissingParameter() {
        for (String command : List.of("evaluate", "serve")) {
            assertThrows(
                    MissingParameterException.class,
                    () -> MnistCli.commandLine().parseArgs(command),
                    command);
        }
        assertThrows(
                MissingParameterException.class,
                () -> MnistCli.commandLine().parseArgs("predict", "--model", "m.zip"),
                "predict without CSV");
    }

    @Test
    void help_printsUsageAndDoesNotRunTheJob() {
        // Were train's job run, the missing --conf file would fail it with BAD_INPUT
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = MnistCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        int exitCode = cli.execute(
                "train", "--help", "--conf", tmp.resolve("absent.properties").toString());

        assertEquals(ExitCodes.OK, exitCode, err.toString());
        assertTrue(out.toString().contains("Usage: mnist-spark train"), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void noCommand_isAUsageErrorListingTheCommands() {
        StringWriter err = new StringWriter();
        CommandLine cli = MnistCli.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));

        assertEquals(ExitCodes.USAGE, cli.execute());
        assertTrue(err.toString().contains("Missing command: choose one of [train, evaluate"), err.toString());
    }

    private static <T> T parse(Class<T> type, String... args) {
        ParseResult parsed = MnistCli.commandLine().parseArgs(args);
        return type.cast(parsed.subcommand().commandSpec().userObject());
    }
}
