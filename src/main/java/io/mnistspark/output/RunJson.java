package io.mnistspark.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The contract of a run's {@code run.json}: every key the jobs write ({@link RunInfo} and the jobs' facts) and the
 * readers look up, and the reading of it. A key is spelled here only; the scripts and notebooks read the same names
 * from {@code notebooks/contract.json}, which {@link Contract} generates.
 */
public final class RunJson {

    // Every run.json
    public static final String COMMAND = "command";
    public static final String STARTED = "started";
    public static final String FINISHED = "finished";
    public static final String VERSIONS = "versions";
    /** The configuration in the keys of the properties file (config.ConfigKeys), which --conf reads back. */
    public static final String CONFIG = ConfigLoader.RUN_JSON_CONFIG;

    public static final String SPARK = "spark";

    // train and evaluate
    public static final String MODEL = "model";
    public static final String DATA = "data";
    public static final String FINAL_ACCURACY = "final_accuracy";

    // train only
    public static final String DERIVED = "derived";
    public static final String TRAIN_SECONDS = "train_seconds";
    public static final String CHECKPOINT_SECONDS = "checkpoint_seconds";
    public static final String ATTEMPTS = "attempts";

    // predict only
    public static final String INPUTS = "inputs";
    public static final String FILES_SCORED = "files_scored";
    public static final String FILES_FAILED = "files_failed";

    // Under DATA, one object per split
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    // A split's facts
    public static final String IMAGES_FILE = "images_file";
    public static final String IMAGES_SHA256 = "images_sha256";
    public static final String LABELS_FILE = "labels_file";
    public static final String LABELS_SHA256 = "labels_sha256";
    public static final String EXAMPLES_IN_FILES = "examples_in_files";
    public static final String EXAMPLES_USED = "examples_used";
    // The validation split: the training images from FIRST_INDEX on, EXAMPLES of them
    public static final String FIRST_INDEX = "first_index";
    public static final String EXAMPLES = "examples";

    // Under SPARK
    public static final String MASTER = "master";
    public static final String APPLICATION_ID = "application_id";
    public static final String DEFAULT_PARALLELISM = "default_parallelism";
    public static final String EXECUTORS = "executors";

    // Under DERIVED: what train worked out from the worker count and the data
    public static final String WORKERS = "workers";
    public static final String BATCH_SIZE_PER_WORKER = "batch_size_per_worker";
    public static final String BATCH_SIZE_PER_WORKER_DERIVED = "batch_size_per_worker_derived";
    public static final String AVERAGING_FREQUENCY = "averaging_frequency";
    public static final String AVERAGING_FREQUENCY_DERIVED = "averaging_frequency_derived";
    public static final String ROUNDS_PER_EPOCH = "rounds_per_epoch";
    public static final String IMAGES_PER_ROUND = "images_per_round";

    // Each of ATTEMPTS: when it started and ended, and the checkpoint it resumed from (null for the first)
    public static final String ENDED = "ended";
    public static final String RESUMED_FROM = "resumed_from";
    public static final String EPOCH = "epoch";
    public static final String ROUND = "round";
    public static final String CHECKPOINT = "checkpoint";

    // Under VERSIONS
    public static final String JAVA_VERSION = "java";
    public static final String MNIST_SPARK_VERSION = "mnist_spark";
    public static final String SPARK_VERSION = "spark";
    public static final String DL4J_VERSION = "dl4j";
    public static final String SCALA_VERSION = "scala";

    private RunJson() {}

    /** The {@code run.json} of the run folder {@code run}, or empty when it has none or it cannot be read. */
    public static Optional<JsonNode> read(String run, Configuration conf) {
        Path file = RunLayout.entryOf(run, Tables.RUN_JSON);
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.isFile(file)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(file)) {
                return Optional.of(new ObjectMapper().readTree(in));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
