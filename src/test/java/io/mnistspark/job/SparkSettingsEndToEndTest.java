package io.mnistspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.cli.ExitCodes;
import io.mnistspark.config.SparkSettings;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} on a small slice with the Spark settings clusters bring in their own spark-defaults.conf: each either
 * trains to a valid output or is refused before any work, naming the setting and the value to use. The settings are
 * given as spark.* system properties, which is how spark-submit hands them to the driver.
 */
class SparkSettingsEndToEndTest {

    private static final int TRAIN = 1_000;
    private static final int TEST = 200;

    @TempDir
    static Path work;

    private static Path mnist;

    @BeforeAll
    static void data() throws IOException {
        mnist = TestData.mnist();
    }

    /** The contract's reads leave a session behind, which the next train would get instead of its own settings. */
    @AfterEach
    void stopSpark() {
        SparkSession.getDefaultSession().foreach(session -> {
            session.stop();
            return null;
        });
    }

    private static SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("SparkSettingsEndToEndTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    private static CliRun trainWith(Map<String, String> settings, Path output) {
        settings.forEach(System::setProperty);
        try {
            return CliRun.run(
                    "train",
                    "--master",
                    "local[2]",
                    "--data-dir",
                    mnist.toString(),
                    "--output",
                    output.toString(),
                    "--train-limit",
                    String.valueOf(TRAIN),
                    "--test-limit",
                    String.valueOf(TEST),
                    "--epochs",
                    "1");
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void train_withKryo_finishesWithAValidOutput() {
        Path run = work.resolve("kryo");

        CliRun result = trainWith(Map.of(SparkSettings.SERIALIZER, SparkSettings.KRYO), run);

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(
                result.out().contains("Spark setting: " + SparkSettings.SERIALIZER + "=" + SparkSettings.KRYO),
                "the session trained with Kryo: " + result.out());
        OutputContract contract = new OutputContract(run, mnist, TEST, 1, SparkSettingsEndToEndTest::spark);
        contract.assertSucceeded();
        contract.assertPredictionsCoverTheTestSetAndAgreeWithTheConfusionMatrix();
    }

    @Test
    void train_withThreeAsDefaultParallelism_trainsThreeWorkers() {
        Path run = work.resolve("parallelism");

        CliRun result =
                trainWith(Map.of(SparkSettings.DEFAULT_PARALLELISM, "3", SparkSettings.SPECULATION, "true"), run);

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        OutputContract contract = new OutputContract(run, mnist, TEST, 1, SparkSettingsEndToEndTest::spark);
        contract.assertSucceeded();
        assertEquals(3, contract.runJson().get("derived").get("workers").asInt());
    }

    @Test
    void train_withKryoRegistrationRequired_isRefusedBeforeAnyWork() throws IOException {
        Path run = work.resolve("kryo-required");

        CliRun result = trainWith(
                Map.of(SparkSettings.SERIALIZER, SparkSettings.KRYO, SparkSettings.KRYO_REGISTRATION_REQUIRED, "true"),
                run);

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.err());
        assertTrue(result.err().contains("spark.kryo.registrationRequired=false"), result.err());
        assertNothingWritten(run);
    }

    @Test
    void train_withASmallMaxResultSize_isRefusedBeforeAnyWork_withTheSizeToUse() throws IOException {
        Path run = work.resolve("max-result");

        CliRun result = trainWith(Map.of(SparkSettings.MAX_RESULT_SIZE, "1m"), run);

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.err());
        assertTrue(
                result.err().contains("spark.driver.maxResultSize=")
                        && result.err().contains("m or more"),
                result.err());
        assertNothingWritten(run);
    }

    private static void assertNothingWritten(Path run) throws IOException {
        assertFalse(Files.exists(run));
        try (Stream<Path> siblings = Files.list(run.getParent())) {
            assertTrue(
                    siblings.noneMatch(p -> p.getFileName().toString().startsWith("." + run.getFileName())),
                    "no staging or checkpoint folder");
        }
    }
}
