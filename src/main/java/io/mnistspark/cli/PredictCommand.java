package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.config.JobConfig;
import io.mnistspark.job.FileOutcome;
import io.mnistspark.job.PredictJob;
import io.mnistspark.job.SparkSessions;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        header = "Classify digit CSVs (28 lines of 28 grey values, 0-255 or 0-1) with a trained model, on Spark.",
        description = {
            "Prints one line per scored file: file, digit, confidence. Files that are not a 28x28 grid of numbers in "
                    + "range are listed with their line and problem; the others are still scored, and the exit status "
                    + "is then 5.",
            "With --output, writes file_predictions/ and failed_files/ (Parquet), run.json and _SUCCESS, atomically."
        })
final class PredictCommand implements Callable<Integer> {

    /** File names longer than this are not padded for alignment. */
    private static final int ALIGN_LIMIT = 60;

    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ModelOption modelOption;

    @Parameters(
            paramLabel = "CSV",
            arity = "1..*",
            description = "Digit CSV files, folders of them (their .csv files), or Hadoop globs; any Hadoop path.")
    List<String> inputs;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            description = "Also write the predictions as Parquet into DIR " + "(must not exist unless --overwrite).")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing --output folder once the new one is complete.")
    boolean overwrite;

    @Option(
            names = "--master",
            paramLabel = "URL",
            descriptionKey = ConfigKeys.SPARK_MASTER,
            description = "Spark master when not started by spark-submit.")
    String master;

    @Mixin
    ConfigOptions configuration;

    @Override
    public Integer call() {
        String sparkMaster = config().sparkMaster();
        PredictJob.Result result;
        try (SparkSession spark = SparkSessions.create("mnist-spark predict", sparkMaster)) {
            result = new PredictJob(modelOption.model, inputs, Optional.ofNullable(output), overwrite).run(spark);
        }
        PrintWriter out = spec.commandLine().getOut();
        int width = Math.min(
                ALIGN_LIMIT,
                result.scored().stream().mapToInt(o -> o.file().length()).max().orElse(0));
        for (FileOutcome scored : result.scored()) {
            out.println(String.format(
                    Locale.ROOT,
                    "%-" + Math.max(1, width) + "s  %d  %.4f",
                    scored.file(),
                    scored.classification().digit(),
                    scored.classification().confidence()));
        }
        result.output().ifPresent(dir -> out.println("Predictions written to " + dir));
        out.flush();
        if (result.failed().isEmpty()) {
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(String.format(
                "mnist-spark: %d of %d inputs could not be scored:",
                result.failed().size(), result.failed().size() + result.scored().size()));
        result.failed().forEach(failed -> err.println("  " + failed.problem()));
        err.flush();
        return ExitCodes.SOME_INPUTS_FAILED;
    }

    /** The configuration the options resolve to (predict uses its Spark master): defaults, --conf, --master. */
    JobConfig config() {
        return configuration.resolve(spec);
    }
}
