package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import picocli.CommandLine.Option;

/** The shape of training, which train runs with and doctor advises for: the same options, the same keys. */
final class TrainingShapeOptions {

    @Option(
            names = "--train-limit",
            paramLabel = "N",
            descriptionKey = ConfigKeys.TRAIN_LIMIT,
            description = "Use only the first N training images (0 = all).")
    Integer trainLimit;

    @Option(
            names = "--batch-size-per-worker",
            paramLabel = "N",
            descriptionKey = ConfigKeys.BATCH_SIZE_PER_WORKER,
            description = "Examples per worker minibatch; the upper bound when --steps-per-epoch derives it.")
    Integer batchSizePerWorker;

    @Option(
            names = "--averaging-frequency",
            paramLabel = "N",
            descriptionKey = ConfigKeys.AVERAGING_FREQUENCY,
            description = "Minibatches each worker fits between parameter averagings (0 = derived from "
                    + "--rounds-per-epoch, the worker count and the training-set size).")
    Integer averagingFrequency;

    @Option(
            names = "--workers",
            paramLabel = "N",
            descriptionKey = ConfigKeys.WORKERS,
            description = "Training workers (0 = Spark's default parallelism).")
    Integer workers;
}
