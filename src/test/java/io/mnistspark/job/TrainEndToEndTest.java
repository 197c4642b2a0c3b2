package io.mnistspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.cli.ExitCodes;
import io.mnistspark.cli.MnistCli;
import io.mnistspark.data.MnistFetcher;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

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
    private static Result trainResult;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        mnist = TestData.mnist();
        run = work.resolve("run");
        trainResult = cli("train", "--data-dir", mnist.toString(), "--output", run.toString(), "--master", "local[2]",
                "--train-limit", String.valueOf(TRAIN), "--test-limit", String.valueOf(TEST),
                "--epochs", String.valueOf(EPOCHS), "--batch-size-per-worker", "32");
    }

    @AfterAll
    static void stopSpark() {
        spark().stop();
    }

    /** The CLI stops the session it ran in, which may be this one: get a live one for each read. */
    private static SparkSession spark() {
        return SparkSession.builder().master("local[2]").appName("TrainEndToEndTest")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @Test
    void train_succeedsAndPrintsAProgressLinePerEpoch() {
        assertEquals(ExitCodes.OK, trainResult.exitCode(), trainResult.err());
        assertTrue(trainResult.out().contains("epoch 1/2  loss"), trainResult.out());
        assertTrue(trainResult.out().contains("epoch 2/2  loss"), trainResult.out());
        assertTrue(Files.exists(run.resolve(Tables.SUCCESS)));
    }

    @Test
    void confusionMatrix_hasAllCells_sumsToTheTestCount_andItsDiagonalIsCorrect() {
        List<Row> cells = table(Tables.CONFUSION_MATRIX);
        Row metrics = table(Tables.METRICS).get(0);

        assertEquals(100, cells.size());
        long total = cells.stream().mapToLong(r -> r.getLong(2)).sum();
        long diagonal = cells.stream().filter(r -> r.getInt(0) == r.getInt(1)).mapToLong(r -> r.getLong(2)).sum();
        assertEquals(TEST, total);
        assertEquals(TEST, metrics.getLong(metrics.fieldIndex(Tables.EXAMPLES)));
        assertEquals(diagonal, metrics.getLong(metrics.fieldIndex(Tables.CORRECT)));
        assertEquals(TEST - diagonal, metrics.getLong(metrics.fieldIndex(Tables.MISCLASSIFIED_COUNT)));
        assertEquals((double) diagonal / TEST, metrics.getDouble(metrics.fieldIndex(Tables.ACCURACY)), 1e-9);
        assertEquals(EPOCHS, metrics.getInt(metrics.fieldIndex(Tables.EPOCHS)));
    }

    @Test
    void predictions_coverEveryTestImageOnce_andAgreeWithTheConfusionMatrix() throws IOException {
        List<Row> predictions = table(Tables.PREDICTIONS);
        Map<List<Integer>, Long> counted = predictions.stream().collect(Collectors.groupingBy(
                r -> List.of(r.getInt(1), r.getInt(2)), Collectors.counting()));

        assertEquals(TEST, predictions.size());
        assertEquals(TEST, predictions.stream().map(r -> r.getInt(0)).distinct().count());
        for (Row cell : table(Tables.CONFUSION_MATRIX)) {
            assertEquals(cell.getLong(2), counted.getOrDefault(List.of(cell.getInt(0), cell.getInt(1)), 0L));
        }
        Slice truth = MnistFiles.readSlice(testFiles(), 0, TEST, new Configuration());
        for (Row p : predictions) {
            assertEquals(truth.label(p.getInt(0)), p.getInt(1), "label of test image " + p.getInt(0));
            List<Float> probabilities = p.getList(4);
            assertEquals(10, probabilities.size());
            assertEquals(probabilities.get(p.getInt(2)), p.getFloat(3));
        }
    }

    @Test
    void misclassified_areExactlyTheWrongPredictions_withTheirPixels() throws IOException {
        Set<Integer> wrong = table(Tables.PREDICTIONS).stream().filter(r -> r.getInt(1) != r.getInt(2))
                .map(r -> r.getInt(0)).collect(Collectors.toSet());
        List<Row> misclassified = table(Tables.MISCLASSIFIED);

        assertFalse(wrong.isEmpty(), "a 2-epoch model on 2,000 images gets some test digits wrong");
        assertEquals(wrong, misclassified.stream().map(r -> r.getInt(0)).collect(Collectors.toSet()));
        Slice truth = MnistFiles.readSlice(testFiles(), 0, TEST, new Configuration());
        for (Row row : misclassified) {
            List<Integer> pixels = row.getList(row.fieldIndex(Tables.PIXELS));
            assertEquals(784, pixels.size());
            assertArrayEquals(truth.greyValues(row.getInt(0)), pixels.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void classMetrics_andTrainingHistory_areComplete() {
        List<Row> classes = table(Tables.CLASS_METRICS);
        List<Row> history = table(Tables.TRAINING_HISTORY);

        assertEquals(10, classes.size());
        assertEquals(TEST, classes.stream().mapToLong(r -> r.getLong(4)).sum());
        assertEquals(EPOCHS, history.size());
        for (Row epoch : history) {
            assertEquals("test", epoch.getString(epoch.fieldIndex(Tables.ACCURACY_ON)));
            assertTrue(epoch.getDouble(epoch.fieldIndex(Tables.IMAGES_PER_SECOND)) > 0);
        }
        double lastAccuracy = history.get(history.size() - 1).getDouble(2);
        assertTrue(lastAccuracy > 0.5, "learned something: " + lastAccuracy);
    }

    @Test
    void savedModel_reloads_andPredictsWhatThePredictionsTableSays() throws IOException {
        MultiLayerNetwork model = ModelStore.load(run.toString(), new Configuration());
        Slice first = MnistFiles.readSlice(testFiles(), 0, 20, new Configuration());
        INDArray output = model.output(first.features(), false);
        Map<Integer, Integer> table = new HashMap<>();
        table(Tables.PREDICTIONS).forEach(r -> table.put(r.getInt(0), r.getInt(2)));

        for (int i = 0; i < 20; i++) {
            assertEquals(table.get(i).intValue(), output.getRow(i).argMax().getInt(0), "test image " + i);
        }
        assertTrue(model.getUpdater().getStateViewArray() != null, "updater state saved");
    }

    @Test
    void runJson_recordsConfigurationVersionsChecksumsAndSpark() throws IOException {
        JsonNode json = new ObjectMapper().readTree(run.resolve(Tables.RUN_JSON).toFile());

        assertEquals("train", json.get("command").asText());
        assertEquals(EPOCHS, json.get("config").get("epochs").asInt());
        assertEquals(MnistFetcher.SHA256.get(Split.TEST.imagesFile()),
                json.get("data").get("test").get("images_sha256").asText());
        assertEquals("local[2]", json.get("spark").get("master").asText());
        assertFalse(json.get("versions").get("spark").asText().isEmpty());
        assertTrue(json.has("started") && json.has("finished"));
    }

    @Test
    void evaluate_onGzippedCopiesOfTheFiles_givesTheSamePredictions() throws IOException {
        Path gz = work.resolve("mnist-gz");
        TestData.gzipCopy(mnist, gz);
        Path evaluated = work.resolve("evaluated-gz");

        Result result = cli("evaluate", "--model", run.toString(), "--data-dir", gz.toString(),
                "--output", evaluated.toString(), "--test-limit", String.valueOf(TEST), "--master", "local[2]");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertEquals(table(Tables.PREDICTIONS).stream().map(Row::toString).toList(),
                read(evaluated, Tables.PREDICTIONS).stream().map(Row::toString).toList());
        assertEquals(table(Tables.METRICS).get(0).getDouble(0), read(evaluated, Tables.METRICS).get(0).getDouble(0));
    }

    @Test
    void existingOutputFolder_isLeftUntouchedWithoutOverwrite() throws IOException {
        Path existing = Files.createDirectories(work.resolve("existing"));
        Files.writeString(existing.resolve("precious.txt"), "an earlier result");

        Result result = cli("train", "--data-dir", mnist.toString(), "--output", existing.toString(),
                "--train-limit", "200", "--test-limit", "100", "--epochs", "1", "--master", "local[2]");

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

        Result result = cli("train", "--data-dir", mnist.toString(), "--output", earlier.toString(), "--overwrite",
                "--train-limit", "200", "--test-limit", "100", "--epochs", "1", "--master", "local[2]");

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

        Result result = cli("train", "--data-dir", broken.toString(), "--output", output.toString(),
                "--train-limit", "200", "--test-limit", "100", "--epochs", "1", "--master", "local[2]");

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode());
        assertTrue(result.err().contains(images.getFileName().toString()), result.err());
        assertTrue(result.err().contains("truncated"), result.err());
        assertFalse(Files.exists(output), "no output folder for a failed run");
        assertNoStagingFoldersLeftIn(work);
    }

    private static void assertNoStagingFoldersLeftIn(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            List<String> staging = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".inprogress-") || n.contains(".replaced-")).toList();
            assertEquals(List.of(), staging);
        }
    }

    private static MnistFiles.SplitFiles testFiles() throws IOException {
        return MnistFiles.locate(mnist.toString(), Split.TEST, new Configuration());
    }

    private static List<Row> table(String name) {
        return read(run, name);
    }

    private static List<Row> read(Path folder, String name) {
        return spark().read().parquet(folder.resolve(name).toString()).collectAsList();
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = MnistCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
