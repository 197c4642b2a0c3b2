package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import picocli.CommandLine.Option;

/**
 * Options shared by the jobs that read MNIST and write an output folder; each sets the configuration key it names
 * ({@link ConfigOptions} reads them).
 */
final class JobOptions {

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            descriptionKey = ConfigKeys.DATA_DIR,
            description = "Folder with the four MNIST IDX files, plain or .gz; any Hadoop path.")
    String dataDir;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            descriptionKey = ConfigKeys.OUTPUT_DIR,
            description = "Output folder (must not exist unless --overwrite).")
    String output;

    @Option(
            names = "--overwrite",
            descriptionKey = ConfigKeys.OVERWRITE,
            description = "Replace an existing output folder once the new run has succeeded.")
    boolean overwrite;

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            descriptionKey = ConfigKeys.TEST_LIMIT,
            description = "Use only the first N test images (0 = all).")
    Integer testLimit;

    @Option(
            names = "--master",
            paramLabel = "URL",
            descriptionKey = ConfigKeys.SPARK_MASTER,
            description = "Spark master when not started by spark-submit.")
    String master;
}
