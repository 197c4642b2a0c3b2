package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.config.JobConfig;
import io.mnistspark.job.SparkSessions;
import io.mnistspark.job.TrainJob;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        header = "Train the reference CNN by parameter averaging, evaluate it and write the output folder.",
        description =
                "Writes model/, metrics/, class_metrics/, confusion_matrix/, predictions/, misclassified/, "
                        + "training_history/, training_rounds/, run.json and _SUCCESS (Parquet tables) into --output, atomically.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configuration;

    @Mixin
    JobOptions job;

    @Mixin
    TrainingShapeOptions shape;

    @Mixin
    LoggingOptions logging;

    @Option(
            names = "--epochs",
            descriptionKey = ConfigKeys.EPOCHS,
            paramLabel = "N",
            description = "Passes over the training set.")
    Integer epochs;

    @Option(
            names = "--seed",
            descriptionKey = ConfigKeys.SEED,
            paramLabel = "N",
            description = "Seed for weights, dropout and data splits.")
    Long seed;

    @Option(
            names = "--steps-per-epoch",
            descriptionKey = ConfigKeys.STEPS_PER_EPOCH,
            paramLabel = "N",
            description = "Minibatches each worker fits in an epoch, from which the minibatch size is derived "
                    + "(0 = --batch-size-per-worker as it is).")
    Integer stepsPerEpoch;

    @Option(
            names = "--validation-images",
            descriptionKey = ConfigKeys.VALIDATION_IMAGES,
            paramLabel = "N",
            description = "Hold out the last N training images; their accuracy is measured after every epoch instead "
                    + "of the test set's (0 = none).")
    Integer validationImages;

    @Option(
            names = "--rounds-per-epoch",
            descriptionKey = ConfigKeys.ROUNDS_PER_EPOCH,
            paramLabel = "N",
            description = "Averaging rounds an epoch aims at when the averaging frequency is derived.")
    Integer roundsPerEpoch;

    @Option(
            names = "--outer-optimizer",
            descriptionKey = ConfigKeys.OUTER_OPTIMIZER,
            paramLabel = "KIND",
            description = "Update of the averaged parameters after each round: none (the plain average) or nesterov.")
    String outerOptimizer;

    @Option(
            names = "--outer-learning-rate",
            descriptionKey = ConfigKeys.OUTER_LEARNING_RATE,
            paramLabel = "RATE",
            description = "The outer update's learning rate.")
    Double outerLearningRate;

    @Option(
            names = "--outer-momentum",
            descriptionKey = ConfigKeys.OUTER_MOMENTUM,
            paramLabel = "M",
            description = "The outer update's momentum.")
    Double outerMomentum;

    @Option(
            names = "--learning-rate",
            descriptionKey = ConfigKeys.LEARNING_RATE,
            paramLabel = "RATE",
            description = "Adam's learning rate in the first epoch.")
    Double learningRate;

    @Option(
            names = "--learning-rate-decay",
            descriptionKey = ConfigKeys.LEARNING_RATE_DECAY,
            paramLabel = "FACTOR",
            description = "Multiplies the learning rate after each epoch (1 = constant).")
    Double learningRateDecay;

    @Option(
            names = "--resume",
            descriptionKey = ConfigKeys.RESUME,
            description = "Go on from the newest complete checkpoint of an interrupted run of the same --output.")
    boolean resume;

    @Option(
            names = "--checkpoint-dir",
            descriptionKey = ConfigKeys.CHECKPOINT_DIR,
            paramLabel = "DIR",
            description = "Where the training state is checkpointed (default: the hidden sibling .NAME.checkpoints "
                    + "of --output).")
    String checkpointDir;

    @Option(
            names = "--checkpoint-every-rounds",
            descriptionKey = ConfigKeys.CHECKPOINT_EVERY_ROUNDS,
            paramLabel = "N",
            description = "Also checkpoint every N rounds within an epoch (0 = at the end of epochs only).")
    Integer checkpointEveryRounds;

    @Option(
            names = "--prefetch-batches",
            descriptionKey = ConfigKeys.PREFETCH_BATCHES,
            paramLabel = "N",
            description = "Minibatches each worker loads ahead.")
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
        return configuration.resolve(spec);
    }
}
