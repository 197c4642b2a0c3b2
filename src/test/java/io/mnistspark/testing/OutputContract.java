package io.mnistspark.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.config.ConfigKeys;
import io.mnistspark.data.MnistFetcher;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.RunJson;
import io.mnistspark.output.RunLayout;
import io.mnistspark.output.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output contract of a {@code train} run, checked table against table and against the MNIST test files: the
 * checks every test of a training run shares, wherever the run happened ({@code local[2]}, a standalone cluster).
 *
 * <pre>
 * OutputContract contract = new OutputContract(run, mnist, 500, 2, this::spark);
 * contract.assertAll(0.5);
 * </pre>
 */
public final class OutputContract {

    private static final int MODEL_CHECK_IMAGES = 20;

    /** The run folder and the MNIST folder as Hadoop locations: a local path or any file system's URI. */
    private final String run;

    private final String mnist;
    private final Configuration conf;
    private final int testCount;
    private final int epochs;
    private final Supplier<SparkSession> spark;

    /**
     * @param run       the run's output folder
     * @param mnist     the MNIST folder the run read
     * @param testCount test images the run evaluated on (its --test-limit)
     * @param epochs    epochs the run trained
     * @param spark     a live session to read the Parquet tables with (asked for each read)
     */
    public OutputContract(Path run, Path mnist, int testCount, int epochs, Supplier<SparkSession> spark) {
        this(run.toString(), mnist.toString(), new Configuration(), testCount, epochs, spark);
    }

    /** The same checks on a run anywhere Hadoop reaches ({@code hdfs://...}), read with {@code conf}. */
    public OutputContract(
            String run, String mnist, Configuration conf, int testCount, int epochs, Supplier<SparkSession> spark) {
        this.run = run;
        this.mnist = mnist;
        this.conf = conf;
        this.testCount = testCount;
        this.epochs = epochs;
        this.spark = spark;
    }

    /** Every check below; the final test accuracy must exceed {@code minAccuracy}. */
    public void assertAll(double minAccuracy) {
        assertSucceeded();
        assertConfusionMatrixAgreesWithMetrics();
        assertPredictionsCoverTheTestSetAndAgreeWithTheConfusionMatrix();
        assertMisclassifiedAreTheWrongPredictions();
        assertClassMetricsAndTrainingHistoryAreComplete(minAccuracy);
        assertSavedModelPredictsWhatThePredictionsTableSays();
        assertRunJsonRecordsTheRun();
    }

    public void assertSucceeded() {
        assertTrue(exists(RunLayout.entryOf(run, Tables.SUCCESS)), "no " + Tables.SUCCESS + " in " + run);
    }

    /** 100 cells summing to the test count, whose diagonal is the metrics' correct count. */
    public void assertConfusionMatrixAgreesWithMetrics() {
        List<Row> cells = table(Tables.CONFUSION_MATRIX);
        Row metrics = table(Tables.METRICS).get(0);

        assertEquals(100, cells.size());
        long total = cells.stream().mapToLong(r -> r.getLong(2)).sum();
        long diagonal = cells.stream()
                .filter(r -> r.getInt(0) == r.getInt(1))
                .mapToLong(r -> r.getLong(2))
                .sum();
        assertEquals(testCount, total);
        assertEquals(testCount, metrics.getLong(metrics.fieldIndex(Tables.EXAMPLES)));
        assertEquals(diagonal, metrics.getLong(metrics.fieldIndex(Tables.CORRECT)));
        assertEquals(testCount - diagonal, metrics.getLong(metrics.fieldIndex(Tables.MISCLASSIFIED_COUNT)));
        assertEquals((double) diagonal / testCount, metrics.getDouble(metrics.fieldIndex(Tables.ACCURACY)), 1e-9);
        assertEquals(epochs, metrics.getInt(metrics.fieldIndex(Tables.EPOCHS)));
    }

    /** One prediction per test image, with the true label, agreeing with the confusion matrix cell by cell. */
    public void assertPredictionsCoverTheTestSetAndAgreeWithTheConfusionMatrix() {
        List<Row> predictions = table(Tables.PREDICTIONS);
        Map<List<Integer>, Long> counted = predictions.stream()
                .collect(Collectors.groupingBy(r -> List.of(r.getInt(1), r.getInt(2)), Collectors.counting()));

        assertEquals(testCount, predictions.size());
        assertEquals(
                testCount, predictions.stream().map(r -> r.getInt(0)).distinct().count());
        for (Row cell : table(Tables.CONFUSION_MATRIX)) {
            assertEquals(cell.getLong(2), counted.getOrDefault(List.of(cell.getInt(0), cell.getInt(1)), 0L));
        }
        Slice truth = testSlice(testCount);
        for (Row p : predictions) {
            assertEquals(truth.label(p.getInt(0)), p.getInt(1), "label of test image " + p.getInt(0));
            List<Float> probabilities = p.getList(4);
            assertEquals(10, probabilities.size());
            assertEquals(probabilities.get(p.getInt(2)), p.getFloat(3));
        }
    }

    /** misclassified/ holds exactly the wrongly predicted test images, with their original pixels. */
    public void assertMisclassifiedAreTheWrongPredictions() {
        Set<Integer> wrong = wrongPredictions();
        List<Row> misclassified = table(Tables.MISCLASSIFIED);

        assertEquals(wrong, misclassified.stream().map(r -> r.getInt(0)).collect(Collectors.toSet()));
        Slice truth = testSlice(testCount);
        for (Row row : misclassified) {
            List<Integer> pixels = row.getList(row.fieldIndex(Tables.PIXELS));
            assertEquals(784, pixels.size());
            assertArrayEquals(
                    truth.greyValues(row.getInt(0)),
                    pixels.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** Indices of the test images whose prediction is wrong. */
    public Set<Integer> wrongPredictions() {
        return table(Tables.PREDICTIONS).stream()
                .filter(r -> r.getInt(1) != r.getInt(2))
                .map(r -> r.getInt(0))
                .collect(Collectors.toSet());
    }

    /** Ten digits of class metrics, one history row per epoch, and a final accuracy above {@code minAccuracy}. */
    public void assertClassMetricsAndTrainingHistoryAreComplete(double minAccuracy) {
        List<Row> classes = table(Tables.CLASS_METRICS);
        List<Row> history = table(Tables.TRAINING_HISTORY);

        assertEquals(10, classes.size());
        assertEquals(testCount, classes.stream().mapToLong(r -> r.getLong(4)).sum());
        assertEquals(epochs, history.size());
        for (Row epoch : history) {
            assertEquals("test", epoch.getString(epoch.fieldIndex(Tables.ACCURACY_ON)));
            assertTrue(epoch.getDouble(epoch.fieldIndex(Tables.IMAGES_PER_SECOND)) > 0);
        }
        double lastAccuracy = history.get(history.size() - 1).getDouble(2);
        assertTrue(lastAccuracy > minAccuracy, "learned something: " + lastAccuracy);
    }

    /**
     * training_rounds/ accounts for the training: every epoch's rounds, numbered from 1, fit every one of the
     * {@code trainImages} once, and the rounds' seconds add up to no more than the run's train_seconds.
     */
    public void assertTrainingRoundsCoverEveryEpoch(long trainImages) {
        List<Row> rounds = table(Tables.TRAINING_ROUNDS);
        Map<Integer, List<Row>> byEpoch =
                rounds.stream().collect(Collectors.groupingBy(r -> r.getInt(r.fieldIndex(Tables.EPOCH))));
        assertEquals(epochs, byEpoch.size(), "rounds of every epoch");
        byEpoch.forEach((epoch, epochRounds) -> {
            assertEquals(
                    trainImages,
                    epochRounds.stream()
                            .mapToLong(r -> r.getLong(r.fieldIndex(Tables.IMAGES)))
                            .sum(),
                    "images of epoch " + epoch);
            assertEquals(
                    Set.copyOf(java.util.stream.IntStream.rangeClosed(1, epochRounds.size())
                            .boxed()
                            .toList()),
                    epochRounds.stream()
                            .map(r -> r.getInt(r.fieldIndex(Tables.ROUND)))
                            .collect(Collectors.toSet()),
                    "rounds of epoch " + epoch + " numbered from 1");
        });
        double roundSeconds = 0;
        for (Row round : rounds) {
            double seconds = round.getDouble(round.fieldIndex(Tables.SECONDS));
            double fit = round.getDouble(round.fieldIndex(Tables.FIT_SECONDS));
            double averaging = round.getDouble(round.fieldIndex(Tables.AVERAGING_SECONDS));
            assertTrue(fit > 0 && averaging >= 0, "fit and averaging seconds of " + round);
            assertEquals(seconds, fit + averaging, 1e-9, "a round is its fitting and its averaging: " + round);
            roundSeconds += seconds;
        }
        Row metrics = table(Tables.METRICS).get(0);
        assertTrue(
                roundSeconds <= metrics.getDouble(metrics.fieldIndex(Tables.TRAIN_SECONDS)) + 1e-6,
                "round seconds " + roundSeconds + " within train_seconds");
        assertEquals(trainImages, metrics.getLong(metrics.fieldIndex(Tables.TRAIN_EXAMPLES)));
    }

    /**
     * The saved model (with its updater state) reloads and predicts the first test images as predictions/ says, and
     * is DL4J's standard network: the workers trained on mnist-spark's kernels, none of which may reach the model.
     */
    public void assertSavedModelPredictsWhatThePredictionsTableSays() {
        MultiLayerNetwork model = ModelStore.load(run, conf);
        for (org.deeplearning4j.nn.api.Layer layer : model.getLayers()) {
            assertTrue(
                    layer.getClass().getName().startsWith("org.deeplearning4j."),
                    layer.getClass().getName());
        }
        assertFalse(model.getLayerWiseConfigurations().toJson().contains("io.mnistspark"), "configuration");
        int count = Math.min(MODEL_CHECK_IMAGES, testCount);
        INDArray output = model.output(testSlice(count).features(), false);
        Map<Integer, Integer> table = predictedByIndex();

        for (int i = 0; i < count; i++) {
            assertEquals(table.get(i).intValue(), output.getRow(i).argMax().getInt(0), "test image " + i);
        }
        assertTrue(model.getUpdater().getStateViewArray() != null, "updater state saved");
    }

    /** run.json names the command, the configuration, the data's checksums and the versions; returns it. */
    public JsonNode assertRunJsonRecordsTheRun() {
        JsonNode json = runJson();
        assertEquals("train", json.get("command").asText());
        assertEquals(epochs, json.get(RunJson.CONFIG).get(ConfigKeys.EPOCHS).asInt());
        assertEquals(
                MnistFetcher.SHA256.get(Split.TEST.imagesFile()),
                json.get("data").get("test").get("images_sha256").asText());
        assertNotNull(json.get("spark").get("master"));
        assertFalse(json.get("versions").get("spark").asText().isEmpty());
        assertTrue(json.has("started") && json.has("finished"));
        return json;
    }

    public JsonNode runJson() {
        return RunJson.read(run, conf).orElseThrow(() -> new AssertionError("no readable run.json in " + run));
    }

    /** Each test image's predicted digit, by its index, as the run's {@code predictions/} table says. */
    public Map<Integer, Integer> predictedByIndex() {
        return predictedByIndex(spark.get(), run);
    }

    /** The same for any run folder (train or evaluate) at a Hadoop location, read with {@code spark}. */
    public static Map<Integer, Integer> predictedByIndex(SparkSession spark, String run) {
        Map<Integer, Integer> byIndex = new TreeMap<>();
        spark.read()
                .parquet(RunLayout.entryOf(run, Tables.PREDICTIONS).toString())
                .collectAsList()
                .forEach(r -> byIndex.put(r.getAs(Tables.INDEX), r.getAs(Tables.PREDICTED)));
        return byIndex;
    }

    /** The rows of one of the run's tables. */
    public List<Row> table(String name) {
        return spark.get()
                .read()
                .parquet(RunLayout.entryOf(run, name).toString())
                .collectAsList();
    }

    private Slice testSlice(int count) {
        return MnistFiles.readSlice(MnistFiles.locate(mnist, Split.TEST, conf), 0, count, conf);
    }

    private boolean exists(org.apache.hadoop.fs.Path path) {
        try {
            return path.getFileSystem(conf).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
