package io.mnistspark.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    static final Set<String> KEYS = Set.of(
            "data.dir", "output.dir", "output.overwrite", "output.resume", "data.train-limit", "data.test-limit",
            "data.validation-images", "train.epochs", "train.learning-rate", "train.learning-rate-decay", "train.seed",
            "train.batch-size-per-worker", "train.steps-per-epoch", "train.averaging-frequency", "train.rounds-per-epoch",
            "train.outer-optimizer", "train.outer-learning-rate", "train.outer-momentum", "train.prefetch-batches", "train.checkpoint-dir", "train.checkpoint-every-rounds",
            "train.workers", "spark.master");

    private ConfigLoader() {
    }

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

    static JobConfig fromProperties(Properties p, String source) {
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigException(source + ": unknown key(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS));
        }
        Values v = new Values(p, source);
        try {
            return new JobConfig(
                    v.text("data.dir"),
                    v.text("output.dir"),
                    v.bool("output.overwrite", false),
                    v.bool("output.resume", false),
                    v.integer("data.train-limit"),
                    v.integer("data.test-limit"),
                    v.integer("data.validation-images"),
                    v.integer("train.epochs"),
                    v.decimal("train.learning-rate"),
                    v.decimal("train.learning-rate-decay"),
                    v.longInteger("train.seed"),
                    v.integer("train.batch-size-per-worker"),
                    v.integer("train.steps-per-epoch"),
                    v.integer("train.averaging-frequency"),
                    v.integer("train.rounds-per-epoch"),
                    OuterOptimizerKind.parse("train.outer-optimizer", v.text("train.outer-optimizer")),
                    v.decimal("train.outer-learning-rate"),
                    v.decimal("train.outer-momentum"),
                    v.integer("train.prefetch-batches"),
                    v.text("train.checkpoint-dir"),
                    v.integer("train.checkpoint-every-rounds"),
                    v.integer("train.workers"),
                    v.text("spark.master"));
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

    private static Properties readFile(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(reader);
            return p;
        } catch (NoSuchFileException e) {
            throw new ConfigException("Configuration file not found: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
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
            return switch (value.trim().toLowerCase()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException("'" + key + "' must be true or false but is '" + value + "'");
            };
        }
    }
}
