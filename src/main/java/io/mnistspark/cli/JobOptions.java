package io.mnistspark.cli;

import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the jobs that read MNIST and write an output folder; each maps onto a configuration key. */
final class JobOptions {

    @Option(names = "--conf", paramLabel = "FILE",
            description = "Properties file overriding conf/mnist-cnn.properties (same keys).")
    Path confFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the four MNIST IDX files, plain or .gz; any Hadoop path.")
    String dataDir;

    @Option(names = "--output", paramLabel = "DIR", description = "Output folder (must not exist unless --overwrite).")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output folder once the new run has succeeded.")
    boolean overwrite;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test images (0 = all).")
    Integer testLimit;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master when not started by spark-submit (default local[*]).")
    String master;

    final Map<String, String> overrides = new LinkedHashMap<>();

    JobOptions put(String key, Object value) {
        if (value != null) {
            overrides.put(key, String.valueOf(value));
        }
        return this;
    }

    JobConfig resolve() {
        put("data.dir", dataDir).put("output.dir", output).put("data.test-limit", testLimit)
                .put("spark.master", master);
        if (overwrite) {
            put("output.overwrite", true);
        }
        return ConfigLoader.load(confFile, overrides);
    }
}
