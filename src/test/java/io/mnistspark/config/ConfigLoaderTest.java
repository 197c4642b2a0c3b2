package io.mnistspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaults_comeFromConfMnistCnnProperties() {
        JobConfig config = ConfigLoader.defaults();

        assertEquals("data/mnist", config.dataDir());
        assertEquals("output", config.outputDir());
        assertEquals(20, config.epochs());
        assertEquals(0.002, config.learningRate());
        assertEquals("local[*]", config.sparkMaster());
        assertFalse(config.overwrite());
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
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("train.epochs", "many")));

        assertTrue(e.getMessage().contains("'train.epochs' must be a whole number but is 'many'"), e.getMessage());
    }

    @Test
    void outOfRangeValue_isRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("train.batch-size-per-worker", "0")));

        assertTrue(e.getMessage().contains("'train.batch-size-per-worker' must be >= 1 but is 0"), e.getMessage());
    }

    @Test
    void missingFile_isNamed() {
        Path missing = dir.resolve("nope.properties");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
