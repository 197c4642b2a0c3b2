package io.mnistspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.cli.ExitCodes;
import io.mnistspark.data.MnistFetcher;
import io.mnistspark.data.Split;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code train} path on a small slice of the real MNIST, through the CLI and a real local[2] Spark session,
 * with every output table read back and checked against the others.
 */
class TrainEndToEndTest {

    private static final int TRAIN = 2_000;
    private static final int TEST = 500;
    private static final int EPOCHS = 2;

    @TempDir
    static Path work;

    private static Path mnist;
    private static Path run;
    private static CliRun trainResult;
    private static OutputContract contract;

    @BeforeAll
    static void trainOnce() throws IOException {
        mnist = TestData.mnist();
        run = work.resolve("run");
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                run.toString(),
                "--master",
                "local[2]",
                "--train-limit",
                String.valueOf(TRAIN),
                "--test-limit",
                String.valueOf(TEST),
                "--epochs",
                String.valueOf(EPOCHS)));
        trainResult = CliRun.run(args.toArray(String[]::new));
        contract = new OutputContract(run, mnist, TEST, EPOCHS, TrainEndToEndTest::spark);
    }

    @AfterAll
    static void stopSpark() {
        spark().stop();
    }

    /** The CLI stops the session it ran in, which may be this one: get a live one for each read. */
    private static SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("TrainEndToEndTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @Test
    void train_succeedsAndPrintsAProgressLinePerEpoch() {
        assertEquals(ExitCodes.OK, trainResult.exitCode(), trainResult.err());
        assertTrue(trainResult.out().contains("epoch 1/2  loss"), trainResult.out());
        assertTrue(trainResult.out().contains("epoch 2/2  loss"), trainResult.out());
        contract.assertSucceeded();
    }

    @Test
    void confusionMatrix_hasAllCells_sumsToTheTestCount_andItsDiagonalIsCorrect() {
        contract.assertConfusionMatrixAgreesWithMetrics();
    }

    @Test
    void predictions_coverEveryTestImageOnce_andAgreeWithTheConfusionMatrix() {
        contract.assertPredictionsCoverTheTestSetAndAgreeWithTheConfusionMatrix();
    }

    @Test
    void misclassified_areExactlyTheWrongPredictions_withTheirPixels() {
        assertFalse(
                contract.wrongPredictions().isEmpty(), "a 2-epoch model on 2,000 images gets some test digits wrong");
        contract.assertMisclassifiedAreTheWrongPredictions();
    }

    @Test
    void classMetrics_andTrainingHistory_areComplete() {
        contract.assertClassMetricsAndTrainingHistoryAreComplete(0.5);
    }

    @Test
    void trainingRounds_accountForEveryEpochsImagesWithinTheTrainingTime() {
        contract.assertTrainingRoundsCoverEveryEpoch(TRAIN);
    }

    @Test
    void plainAveraging_roundByRound_learnsTheSmallSliceAsBeforeTheOuterUpdate() {
        Path plain = work.resolve("plain-average");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                plain.toString(),
                "--master",
                "local[2]",
                "--train-limit",
                String.valueOf(TRAIN),
                "--test-limit",
                String.valueOf(TEST),
                "--epochs",
                String.valueOf(EPOCHS),
                "--outer-optimizer",
                "none");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        new OutputContract(plain, mnist, TEST, EPOCHS, TrainEndToEndTest::spark)
                .assertClassMetricsAndTrainingHistoryAreComplete(0.5);
    }

    @Test
    void validationSplit_isHeldOutFromTheEndOfTheTrainingImages_andMonitoredInsteadOfTheTestSet() {
        Path validated = work.resolve("validated");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                validated.toString(),
                "--train-limit",
                "1200",
                "--validation-images",
                "400",
                "--test-limit",
                "100",
                "--epochs",
                "1",
                "--master",
                "local[2]");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        Row history = read(validated, Tables.TRAINING_HISTORY).get(0);
        assertEquals("validation", history.getString(history.fieldIndex(Tables.ACCURACY_ON)));
        assertEquals(
                800L,
                read(validated, Tables.TRAINING_ROUNDS).stream()
                        .mapToLong(r -> r.getLong(r.fieldIndex(Tables.IMAGES)))
                        .sum(),
                "only the images before the split");
        JsonNode validation = readRunJson(validated).get("data").get("validation");
        assertEquals(800, validation.get("first_index").asInt());
        assertEquals(400, validation.get("examples").asInt());
    }

    @Test
    void aValidationSplitThatLeavesNoMinibatch_isRefusedNamingTheSetting() {
        Path output = work.resolve("all-validation");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                output.toString(),
                "--train-limit",
                "300",
                "--validation-images",
                "300",
                "--test-limit",
                "100",
                "--epochs",
                "1",
                "--master",
                "local[2]");

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.out());
        assertTrue(result.err().contains("data.validation-images"), result.err());
        assertFalse(Files.exists(output));
    }

    @Test
    void savedModel_reloads_andPredictsWhatThePredictionsTableSays() {
        contract.assertSavedModelPredictsWhatThePredictionsTableSays();
    }

    @Test
    void runJson_recordsConfigurationVersionsChecksumsAndSpark() {
        JsonNode json = contract.assertRunJsonRecordsTheRun();

        assertEquals("local[2]", json.get("spark").get("master").asText());
    }

    @Test
    void evaluate_onGzippedCopiesOfTheFiles_givesTheSamePredictions() throws IOException {
        Path gz = work.resolve("mnist-gz");
        TestData.gzipCopy(mnist, gz);
        Path evaluated = work.resolve("evaluated-gz");

        CliRun result = CliRun.run(
                "evaluate",
                "--model",
                run.toString(),
                "--data-dir",
                gz.toString(),
                "--output",
                evaluated.toString(),
                "--test-limit",
                String.valueOf(TEST),
                "--master",
                "local[2]");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertEquals(
                table(Tables.PREDICTIONS).stream().map(Row::toString).toList(),
                read(evaluated, Tables.PREDICTIONS).stream().map(Row::toString).toList());
        assertEquals(
                table(Tables.METRICS).get(0).getDouble(0),
                read(evaluated, Tables.METRICS).get(0).getDouble(0));
    }

    @Test
    void existingOutputFolder_isLeftUntouchedWithoutOverwrite() throws IOException {
        Path existing = Files.createDirectories(work.resolve("existing"));
        Files.writeString(existing.resolve("precious.txt"), "an earlier result");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                existing.toString(),
                "--train-limit",
                "200",
                "--test-limit",
                "100",
                "--epochs",
                "1",
                "--master",
                "local[2]");

        assertEquals(ExitCodes.OUTPUT_EXISTS, result.exitCode());
        assertTrue(result.err().contains(existing.toString()), result.err());
        assertEquals("an earlier result", Files.readString(existing.resolve("precious.txt")));
        try (var entries = Files.list(existing)) {
            assertEquals(1, entries.count());
        }
    }

    @Test
    void overwrite_replacesAnEarlierRunOnlyWithACompleteOne() throws IOException {
        Path earlier = Files.createDirectories(work.resolve("replaced"));
        Files.writeString(earlier.resolve("old.txt"), "old");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                earlier.toString(),
                "--overwrite",
                "--train-limit",
                "200",
                "--test-limit",
                "100",
                "--epochs",
                "1",
                "--master",
                "local[2]");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertFalse(Files.exists(earlier.resolve("old.txt")));
        assertTrue(Files.exists(earlier.resolve(Tables.SUCCESS)));
        assertNoStagingFoldersLeftIn(work);
    }

    @Test
    void truncatedTrainingFile_failsNamingIt_andLeavesNoOutput() throws IOException {
        Path broken = Files.createDirectories(work.resolve("broken-data"));
        for (String name : MnistFetcher.SHA256.keySet()) {
            Files.copy(mnist.resolve(name), broken.resolve(name));
        }
        Path images = broken.resolve(Split.TRAIN.imagesFile());
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        Path output = work.resolve("never-written");

        CliRun result = CliRun.run(
                "train",
                "--data-dir",
                broken.toString(),
                "--output",
                output.toString(),
                "--train-limit",
                "200",
                "--test-limit",
                "100",
                "--epochs",
                "1",
                "--master",
                "local[2]");

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode());
        assertTrue(result.err().contains(images.getFileName().toString()), result.err());
        assertTrue(result.err().contains("truncated"), result.err());
        assertFalse(Files.exists(output), "no output folder for a failed run");
        assertNoStagingFoldersLeftIn(work);
    }

    private static void assertNoStagingFoldersLeftIn(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            List<String> staging = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".inprogress-") || n.contains(".replaced-"))
                    .toList();
            assertEquals(List.of(), staging);
        }
    }

    private static List<Row> table(String name) {
        return contract.table(name);
    }

    private static JsonNode readRunJson(Path folder) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(folder.resolve(Tables.RUN_JSON).toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Row> read(Path folder, String name) {
        return spark().read().parquet(folder.resolve(name).toString()).collectAsList();
    }
}
