package io.mnistspark.config;

import java.util.List;

/**
 * The keys of {@code conf/mnist-cnn.properties}, of {@code --conf} files and of {@code run.json}'s {@code config}:
 * spelled here once. The command-line options name theirs as their picocli {@code descriptionKey}.
 */
public final class ConfigKeys {

    public static final String DATA_DIR = "data.dir";
    public static final String TRAIN_LIMIT = "data.train-limit";
    public static final String TEST_LIMIT = "data.test-limit";
    public static final String VALIDATION_IMAGES = "data.validation-images";
    public static final String OUTPUT_DIR = "output.dir";
    public static final String OVERWRITE = "output.overwrite";
    public static final String RESUME = "output.resume";
    public static final String EPOCHS = "train.epochs";
    public static final String LEARNING_RATE = "train.learning-rate";
    public static final String LEARNING_RATE_DECAY = "train.learning-rate-decay";
    public static final String SEED = "train.seed";
    public static final String BATCH_SIZE_PER_WORKER = "train.batch-size-per-worker";
    public static final String STEPS_PER_EPOCH = "train.steps-per-epoch";
    public static final String AVERAGING_FREQUENCY = "train.averaging-frequency";
    public static final String ROUNDS_PER_EPOCH = "train.rounds-per-epoch";
    public static final String OUTER_OPTIMIZER = "train.outer-optimizer";
    public static final String OUTER_LEARNING_RATE = "train.outer-learning-rate";
    public static final String OUTER_MOMENTUM = "train.outer-momentum";
    public static final String PREFETCH_BATCHES = "train.prefetch-batches";
    public static final String CHECKPOINT_DIR = "train.checkpoint-dir";
    public static final String CHECKPOINT_EVERY_ROUNDS = "train.checkpoint-every-rounds";
    public static final String WORKERS = "train.workers";
    public static final String SPARK_MASTER = "spark.master";

    /** Every key, in the order of the properties file. */
    public static final List<String> ALL = List.of(
            DATA_DIR,
            OUTPUT_DIR,
            OVERWRITE,
            RESUME,
            TRAIN_LIMIT,
            TEST_LIMIT,
            VALIDATION_IMAGES,
            EPOCHS,
            LEARNING_RATE,
            LEARNING_RATE_DECAY,
            SEED,
            BATCH_SIZE_PER_WORKER,
            STEPS_PER_EPOCH,
            AVERAGING_FREQUENCY,
            ROUNDS_PER_EPOCH,
            OUTER_OPTIMIZER,
            OUTER_LEARNING_RATE,
            OUTER_MOMENTUM,
            PREFETCH_BATCHES,
            CHECKPOINT_DIR,
            CHECKPOINT_EVERY_ROUNDS,
            WORKERS,
            SPARK_MASTER);

    /** What {@code evaluate} uses: the test data, its output and the master. */
    public static final List<String> EVALUATION = List.of(DATA_DIR, TEST_LIMIT, OUTPUT_DIR, OVERWRITE, SPARK_MASTER);

    private ConfigKeys() {}
}
