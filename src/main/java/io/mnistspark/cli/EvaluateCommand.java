package io.mnistspark.cli;

import io.mnistspark.config.JobConfig;
import io.mnistspark.job.EvaluateJob;
import io.mnistspark.job.SparkSessions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        header = "Evaluate a saved model on the MNIST test set and write the evaluation tables.",
        description = "Writes metrics/, class_metrics/, confusion_matrix/, predictions/, misclassified/, run.json "
                + "and _SUCCESS into --output, atomically.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configuration;

    @Mixin
    JobOptions job;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ModelOption modelOption;

    @Override
    public Integer call() {
        JobConfig config = configuration.resolve(spec);
        try (SparkSession spark = SparkSessions.create("mnist-spark evaluate", config.sparkMaster())) {
            new EvaluateJob(config, modelOption.model, spec.commandLine().getOut()::println).run(spark);
        }
        return ExitCodes.OK;
    }
}
