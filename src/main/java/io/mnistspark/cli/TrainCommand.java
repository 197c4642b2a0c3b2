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
                + "training_history/, training_rounds/, run.json and _SUCCESS (Parquet tables) into --output, atomically.")
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

    @Option(names = "--batch-size-per-worker", paramLabel = "N",
            description = "Examples per worker minibatch; the upper bound when --steps-per-epoch derives it.")
    Integer batchSizePerWorker;

    @Option(names = "--steps-per-epoch", paramLabel = "N",
            description = "Minibatches each worker fits in an epoch, from which the minibatch size is derived "
                    + "(0 = --batch-size-per-worker as it is).")
    Integer stepsPerEpoch;

    @Option(names = "--validation-images", paramLabel = "N",
            description = "Hold out the last N training images; their accuracy is measured after every epoch instead "
                    + "of the test set's (0 = none).")
    Integer validationImages;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "Minibatches each worker fits between parameter averagings (0 = derived from "
                    + "--rounds-per-epoch, the worker count and the training-set size).")
    Integer averagingFrequency;

    @Option(names = "--rounds-per-epoch", paramLabel = "N",
            description = "Averaging rounds an epoch aims at when the averaging frequency is derived.")
    Integer roundsPerEpoch;

    @Option(names = "--outer-optimizer", paramLabel = "KIND",
            description = "Update of the averaged parameters after each round: none (the plain average) or nesterov.")
    String outerOptimizer;

    @Option(names = "--outer-learning-rate", paramLabel = "RATE", description = "The outer update's learning rate.")
    Double outerLearningRate;

    @Option(names = "--outer-momentum", paramLabel = "M", description = "The outer update's momentum.")
    Double outerMomentum;

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Adam's learning rate in the first epoch.")
    Double learningRate;

    @Option(names = "--learning-rate-decay", paramLabel = "FACTOR",
            description = "Multiplies the learning rate after each epoch (1 = constant).")
    Double learningRateDecay;

    @Option(names = "--workers", paramLabel = "N", description = "Training workers (0 = Spark's default parallelism).")
    Integer workers;

    @Option(names = "--resume",
            description = "Go on from the newest complete checkpoint of an interrupted run of the same --output.")
    boolean resume;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where the training state is checkpointed (default: the hidden sibling .NAME.checkpoints "
                    + "of --output).")
    String checkpointDir;

    @Option(names = "--checkpoint-every-rounds", paramLabel = "N",
            description = "Also checkpoint every N rounds within an epoch (0 = at the end of epochs only).")
    Integer checkpointEveryRounds;

    @Option(names = "--prefetch-batches", paramLabel = "N", description = "Minibatches each worker loads ahead.")
    Integer prefetchBatches;

    @Override
    public Integer call() {
        JobConfig config = config();
        try (SparkSession spark = SparkSessions.create("mnist-spark train", config.sparkMaster())) {
            new TrainJob(config, spec.commandLine().getOut()::println).run(spark);
        }
        return ExitCodes.OK;
    }

    /** The configuration the options resolve to: defaults, then --conf, then each option given. */
    JobConfig config() {
        return job.put("train.epochs", epochs).put("data.train-limit", trainLimit)
                .put("train.seed", seed).put("train.batch-size-per-worker", batchSizePerWorker)
                .put("train.steps-per-epoch", stepsPerEpoch)
                .put("data.validation-images", validationImages)
                .put("train.averaging-frequency", averagingFrequency).put("train.rounds-per-epoch", roundsPerEpoch)
                .put("train.outer-optimizer", outerOptimizer).put("train.outer-learning-rate", outerLearningRate)
                .put("train.outer-momentum", outerMomentum).put("train.learning-rate", learningRate)
                .put("train.learning-rate-decay", learningRateDecay)
                .put("train.workers", workers)
                .put("train.checkpoint-dir", checkpointDir).put("train.checkpoint-every-rounds", checkpointEveryRounds)
                .put("output.resume", resume ? true : null).put("train.prefetch-batches", prefetchBatches).resolve();
    }
}
