package io.mnistspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaults_areConfMnistCnnPropertiesAsItIs() throws IOException {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("conf", "mnist-cnn.properties"))) {
            file.load(reader);
        }
        Map<String, String> defaults = ConfigLoader.toProperties(ConfigLoader.defaults());

        for (String key : file.stringPropertyNames()) {
            assertEquals(normalised(file.getProperty(key)), normalised(defaults.get(key)), key);
        }
        assertFalse(ConfigLoader.defaults().overwrite());
    }

    @Test
    void aRunsRecordedConfiguration_readBackAsConf_isTheSameConfiguration() throws IOException {
        JobConfig run = ConfigLoader.load(
                null,
                Map.of(
                        ConfigKeys.EPOCHS,
                        "3",
                        ConfigKeys.OUTER_OPTIMIZER,
                        "none",
                        ConfigKeys.LEARNING_RATE,
                        "0.0125",
                        ConfigKeys.CHECKPOINT_DIR,
                        "/checkpoints"));
        Path runJson = dir.resolve("run.json");
        new ObjectMapper()
                .writeValue(
                        runJson.toFile(),
                        Map.of("command", "train", ConfigLoader.RUN_JSON_CONFIG, ConfigLoader.toProperties(run)));

        assertEquals(run, ConfigLoader.load(runJson, Map.of()));
    }

    @Test
    void aJsonFileWithoutConfig_isRefusedNamingIt() throws IOException {
        Path other = Files.writeString(dir.resolve("other.json"), "{\"command\": \"predict\"}");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(other, Map.of()));

        assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
    }

    /** A number as the file and as Java spell it alike ("0.002", "2.0E-3"); other text as it is. */
    private static String normalised(String value) {
        try {
            return String.valueOf(Double.parseDouble(value.trim()));
        } catch (NumberFormatException e) {
            return value.trim();
        }
    }

    @Test
    void userFile_overridesDefaults_andOptionsOverrideTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("my.properties"), "train.epochs = 3\ntrain.seed = 9\n");

        JobConfig config = ConfigLoader.load(file, Map.of("train.seed", "11"));

        assertEquals(3, config.epochs());
        assertEquals(11, config.seed());
        assertEquals(ConfigLoader.defaults().batchSizePerWorker(), config.batchSizePerWorker());
    }

    @Test
    void unknownKey_isRejectedWithItsName() throws IOException {
        Path file = Files.writeString(dir.resolve("typo.properties"), "train.epoch = 3\n");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertTrue(e.getMessage().contains("train.epoch"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void nonNumericValue_namesKeyAndValue() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("train.epochs", "many")));

        assertTrue(e.getMessage().contains("'train.epochs' must be a whole number but is 'many'"), e.getMessage());
    }

    @Test
    void outOfRangeValue_isRejected() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigLoader.load(null, Map.of("train.batch-size-per-worker", "0")));

        assertTrue(e.getMessage().contains("'train.batch-size-per-worker' must be >= 1 but is 0"), e.getMessage());
    }

    @Test
    void missingFile_isNamed() {
        Path missing = dir.resolve("nope.properties");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
