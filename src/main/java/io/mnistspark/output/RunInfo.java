package io.mnistspark.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Builds {@code run.json}: what ran, on what, with which data and settings, and when. */
public final class RunInfo {

    private static final String BUILD_INFO = "/mnist-spark-build.properties";

    private final Map<String, Object> fields = new LinkedHashMap<>();

    public RunInfo(String command, Instant started) {
        fields.put(RunJson.COMMAND, command);
        fields.put(RunJson.STARTED, started.toString());
        fields.put(RunJson.VERSIONS, versions());
    }

    public RunInfo put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    public String toJson(Instant finished) {
        Map<String, Object> all = new LinkedHashMap<>(fields);
        all.put(RunJson.FINISHED, finished.toString());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("run.json could not be serialised", e);
        }
    }

    /** Versions of the JVM and of the libraries the build pinned, and of mnist-spark itself. */
    public static Map<String, String> versions() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put(RunJson.JAVA_VERSION, System.getProperty("java.version"));
        Properties build = new Properties();
        try (InputStream in = RunInfo.class.getResourceAsStream(BUILD_INFO)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // Versions are informative; a run does not fail over them.
        }
        versions.put(RunJson.MNIST_SPARK_VERSION, build.getProperty("mnist-spark.version", "unknown"));
        versions.put(RunJson.SPARK_VERSION, org.apache.spark.package$.MODULE$.SPARK_VERSION());
        versions.put(RunJson.DL4J_VERSION, build.getProperty("dl4j.version", "unknown"));
        versions.put(RunJson.SCALA_VERSION, scala.util.Properties.versionNumberString());
        return versions;
    }
}
