package io.mnistspark.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a {@link JobConfig} from layers of properties: the defaults bundled from {@code conf/mnist-cnn.properties},
 * then an optional user file, then explicit overrides (the command line). Later layers win; unknown keys are rejected
 * so that a typo never silently falls back to a default.
 */
public final class ConfigLoader {

    /** Classpath copy of {@code conf/mnist-cnn.properties}, packaged by the build. */
    public static final String DEFAULTS_RESOURCE = "/mnist-cnn.properties";

    static final Set<String> KEYS = Set.copyOf(ConfigKeys.ALL);

    /** The object of a run's run.json that holds its configuration (which output.RunJson names by this constant). */
    public static final String RUN_JSON_CONFIG = "config";

    private ConfigLoader() {}

    /** Defaults, then {@code userFile} if given, then {@code overrides} (keys as in the properties file). */
    public static JobConfig load(Path userFile, Map<String, String> overrides) {
        Properties merged = loadDefaults();
        if (userFile != null) {
            merged.putAll(readFile(userFile));
        }
        merged.putAll(overrides);
        return fromProperties(merged, userFile == null ? "configuration" : userFile.toString());
    }

    public static JobConfig defaults() {
        return load(null, Map.of());
    }

    /** The bundled defaults' value of {@code key}, as the file spells it; null when the file has none. */
    public static String defaultValue(String key) {
        String value = loadDefaults().getProperty(key);
        return value == null ? null : value.trim();
    }

    /**
     * {@code config} in the keys and spelling of the properties file, every key in the file's order: what
     * {@code run.json} records, and what {@link #load} reads back (from a properties file, or from that
     * {@code run.json}) into an equal configuration.
     */
    public static Map<String, String> toProperties(JobConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(ConfigKeys.DATA_DIR, config.dataDir());
        p.put(ConfigKeys.OUTPUT_DIR, config.outputDir());
        p.put(ConfigKeys.OVERWRITE, String.valueOf(config.overwrite()));
        p.put(ConfigKeys.RESUME, String.valueOf(config.resume()));
        p.put(ConfigKeys.TRAIN_LIMIT, String.valueOf(config.trainLimit()));
        p.put(ConfigKeys.TEST_LIMIT, String.valueOf(config.testLimit()));
        p.put(ConfigKeys.VALIDATION_IMAGES, String.valueOf(config.validationImages()));
        p.put(ConfigKeys.EPOCHS, String.valueOf(config.epochs()));
        p.put(ConfigKeys.LEARNING_RATE, String.valueOf(config.learningRate()));
        p.put(ConfigKeys.LEARNING_RATE_DECAY, String.valueOf(config.learningRateDecay()));
        p.put(ConfigKeys.SEED, String.valueOf(config.seed()));
        p.put(ConfigKeys.BATCH_SIZE_PER_WORKER, String.valueOf(config.batchSizePerWorker()));
        p.put(ConfigKeys.STEPS_PER_EPOCH, String.valueOf(config.stepsPerEpoch()));
        p.put(ConfigKeys.AVERAGING_FREQUENCY, String.valueOf(config.averagingFrequency()));
        p.put(ConfigKeys.ROUNDS_PER_EPOCH, String.valueOf(config.roundsPerEpoch()));
        p.put(ConfigKeys.OUTER_OPTIMIZER, config.outerOptimizer().key());
        p.put(ConfigKeys.OUTER_LEARNING_RATE, String.valueOf(config.outerLearningRate()));
        p.put(ConfigKeys.OUTER_MOMENTUM, String.valueOf(config.outerMomentum()));
        p.put(ConfigKeys.PREFETCH_BATCHES, String.valueOf(config.prefetchBatches()));
        p.put(ConfigKeys.CHECKPOINT_DIR, config.checkpointDir());
        p.put(ConfigKeys.CHECKPOINT_EVERY_ROUNDS, String.valueOf(config.checkpointEveryRounds()));
        p.put(ConfigKeys.WORKERS, String.valueOf(config.workers()));
        p.put(ConfigKeys.SPARK_MASTER, config.sparkMaster());
        return p;
    }

    /** The entries of {@code all} under {@code keys}, in that order. */
    public static Map<String, String> only(Map<String, String> all, List<String> keys) {
        Map<String, String> some = new LinkedHashMap<>();
        keys.forEach(key -> some.put(key, all.get(key)));
        return some;
    }

    static JobConfig fromProperties(Properties p, String source) {
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigException(
                    source + ": unknown key(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS));
        }
        Values v = new Values(p, source);
        try {
            return new JobConfig(
                    v.text(ConfigKeys.DATA_DIR),
                    v.text(ConfigKeys.OUTPUT_DIR),
                    v.bool(ConfigKeys.OVERWRITE, false),
                    v.bool(ConfigKeys.RESUME, false),
                    v.integer(ConfigKeys.TRAIN_LIMIT),
                    v.integer(ConfigKeys.TEST_LIMIT),
                    v.integer(ConfigKeys.VALIDATION_IMAGES),
                    v.integer(ConfigKeys.EPOCHS),
                    v.decimal(ConfigKeys.LEARNING_RATE),
                    v.decimal(ConfigKeys.LEARNING_RATE_DECAY),
                    v.longInteger(ConfigKeys.SEED),
                    v.integer(ConfigKeys.BATCH_SIZE_PER_WORKER),
                    v.integer(ConfigKeys.STEPS_PER_EPOCH),
                    v.integer(ConfigKeys.AVERAGING_FREQUENCY),
                    v.integer(ConfigKeys.ROUNDS_PER_EPOCH),
                    OuterOptimizerKind.parse(ConfigKeys.OUTER_OPTIMIZER, v.text(ConfigKeys.OUTER_OPTIMIZER)),
                    v.decimal(ConfigKeys.OUTER_LEARNING_RATE),
                    v.decimal(ConfigKeys.OUTER_MOMENTUM),
                    v.integer(ConfigKeys.PREFETCH_BATCHES),
                    v.text(ConfigKeys.CHECKPOINT_DIR),
                    v.integer(ConfigKeys.CHECKPOINT_EVERY_ROUNDS),
                    v.integer(ConfigKeys.WORKERS),
                    v.text(ConfigKeys.SPARK_MASTER));
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static Properties loadDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("Bundled defaults " + DEFAULTS_RESOURCE + " are missing from the classpath");
            }
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new ConfigException("Cannot read bundled defaults " + DEFAULTS_RESOURCE, e);
        }
    }

    /**
     * A properties file, or a run's {@code run.json} (its {@code config} object), so that a finished run's settings
     * can be given back as they were recorded.
     */
    private static Properties readFile(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return file.getFileName().toString().endsWith(".json") ? configOfRunJson(file, reader) : properties(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Configuration file not found: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Properties properties(Reader reader) throws IOException {
        Properties p = new Properties();
        p.load(reader);
        return p;
    }

    private static Properties configOfRunJson(Path file, Reader reader) throws IOException {
        JsonNode config = new ObjectMapper().readTree(reader).path(RUN_JSON_CONFIG);
        if (!config.isObject()) {
            throw new ConfigException(file + ": no '" + RUN_JSON_CONFIG + "' object (give a properties file, or the "
                    + "run.json of a run)");
        }
        Properties p = new Properties();
        config.fields()
                .forEachRemaining(
                        entry -> p.setProperty(entry.getKey(), entry.getValue().asText()));
        return p;
    }

    /** Typed access to the merged properties, with messages that name the key and the bad value. */
    private record Values(Properties p, String source) {
        String text(String key) {
            String value = p.getProperty(key);
            if (value == null) {
                throw new ConfigException("missing key '" + key + "'");
            }
            return value.trim();
        }

        int integer(String key) {
            String value = text(key);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new ConfigException("'" + key + "' must be a whole number but is '" + value + "'");
            }
        }

        long longInteger(String key) {
            String value = text(key);
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new ConfigException("'" + key + "' must be a whole number but is '" + value + "'");
            }
        }

        double decimal(String key) {
            String value = text(key);
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new ConfigException("'" + key + "' must be a number but is '" + value + "'");
            }
        }

        boolean bool(String key, boolean fallback) {
            String value = p.getProperty(key);
            if (value == null) {
                return fallback;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException("'" + key + "' must be true or false but is '" + value + "'");
            };
        }
    }
}
