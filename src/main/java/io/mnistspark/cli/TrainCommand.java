package io.mnistspark.cli;

import io.mnistspark.config.JobConfig;
import io.mnistspark.job.SparkSessions;
import io.mnistspark.job.TrainJob;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Train the reference CNN by parameter averaging, evaluate it and write the output folder.",
        description = "Writes model/, metrics/, class_metrics/, confusion_matrix/, predictions/, misclassified/, "
                + "training_history/, run.json and _SUCCESS (Parquet tables) into --output, atomically.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JobOptions job;

    @Mixin
    LoggingOptions logging;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set.")
    Integer epochs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training images (0 = all).")
    Integer trainLimit;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for weights, dropout and data splits.")
    Long seed;

    @Option(names = "--batch-size-per-worker", paramLabel = "N", description = "Examples per worker minibatch.")
    Integer batchSizePerWorker;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "Minibatches each worker fits between parameter averagings.")
    Integer averagingFrequency;

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Adam's learning rate in the first epoch.")
    Double learningRate;

    @Option(names = "--learning-rate-decay", paramLabel = "FACTOR",
            description = "Multiplies the learning rate after each epoch (1 = constant).")
    Double learningRateDecay;

    @Option(names = "--workers", paramLabel = "N", description = "Training workers (0 = Spark's default parallelism).")
    Integer workers;

    @Option(names = "--prefetch-batches", paramLabel = "N", description = "Minibatches each worker loads ahead.")
    Integer prefetchBatches;

    @Override
    public Integer call() {
        JobConfig config = job.put("train.epochs", epochs).put("data.train-limit", trainLimit)
                .put("train.seed", seed).put("train.batch-size-per-worker", batchSizePerWorker)
                .put("train.averaging-frequency", averagingFrequency).put("train.learning-rate", learningRate)
                .put("train.learning-rate-decay", learningRateDecay)
                .put("train.workers", workers).put("train.prefetch-batches", prefetchBatches).resolve();
        try (SparkSession spark = SparkSessions.create("mnist-spark train", config.sparkMaster())) {
            new TrainJob(config, spec.commandLine().getOut()::println).run(spark);
        }
        return ExitCodes.OK;
    }
}
