package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.evaluation.Prediction;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.training.RoundRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.factory.Nd4j;

/** Every table a run writes, written through ResultWriter and read back by column name from the Parquet files. */
class ResultWriterTest {

    private static final int CLASSES = 10;

    private static SparkSession spark;
    private static Path run;

    @BeforeAll
    static void writeEveryTable(@TempDir Path temp) {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ResultWriterTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        run = temp.resolve("run");
        RunFolder folder =
                RunFolder.begin(run.toString(), false, spark.sparkContext().hadoopConfiguration());
        ResultWriter writer = new ResultWriter(spark, folder);
        Evaluation evaluation = threeRightOneWrong();
        writer.writeMetrics(
                evaluation, new ResultWriter.RunFacts(1.5, Optional.of(new ResultWriter.TrainingFacts(42.0, 3, 600L))));
        writer.writeClassMetrics(evaluation, CLASSES);
        writer.writeConfusionMatrix(evaluation, CLASSES);
        writer.writePredictions(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(
                        List.of(prediction(0, 7, 7, null), prediction(1, 2, 3, pixels(5)), prediction(2, 1, 1, null)),
                        2));
        writer.writeTrainingHistory(List.of(
                new EpochRecord(1, 0.5, 0.9, "validation", 10.0, 60.0),
                new EpochRecord(2, 0.25, 0.95, "validation", 8.0, 75.0)));
        writer.writeTrainingRounds(List.of(new RoundRecord(1, 1, 2, 20, 400L, 1.25, 1.0, 0.25, 0.5)));
        folder.commit();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void metricsHoldTheEvaluationAndTheRunsFacts() {
        Row metrics = single(Tables.METRICS);
        assertEquals(0.75, metrics.<Double>getAs(Tables.ACCURACY), 1e-12);
        assertEquals(4L, metrics.<Long>getAs(Tables.EXAMPLES));
        assertEquals(3L, metrics.<Long>getAs(Tables.CORRECT));
        assertEquals(1L, metrics.<Long>getAs(Tables.MISCLASSIFIED_COUNT));
        assertEquals(42.0, metrics.<Double>getAs(Tables.TRAIN_SECONDS));
        assertEquals(1.5, metrics.<Double>getAs(Tables.EVAL_SECONDS));
        assertEquals(3, metrics.<Integer>getAs(Tables.EPOCHS));
        assertEquals(600L, metrics.<Long>getAs(Tables.TRAIN_EXAMPLES));
    }

    @Test
    void classMetricsHaveOneRowPerDigitWithItsSupport() {
        List<Row> rows = rows(Tables.CLASS_METRICS, Tables.DIGIT);
        assertEquals(CLASSES, rows.size());
        assertEquals(2L, rows.get(7).<Long>getAs(Tables.SUPPORT));
        assertEquals(1.0, rows.get(7).<Double>getAs(Tables.RECALL), 1e-12);
        assertEquals(0.0, rows.get(2).<Double>getAs(Tables.RECALL), 1e-12);
    }

    @Test
    void theConfusionMatrixHasEveryCellAndPutsTheErrorWhereItHappened() {
        List<Row> cells = rows(Tables.CONFUSION_MATRIX, Tables.ACTUAL);
        assertEquals(CLASSES * CLASSES, cells.size());
        long total = cells.stream().mapToLong(r -> r.<Long>getAs(Tables.COUNT)).sum();
        assertEquals(4L, total);
        Row error = cells.stream()
                .filter(r -> r.<Integer>getAs(Tables.ACTUAL) == 2 && r.<Integer>getAs(Tables.PREDICTED) == 3)
                .findFirst()
                .orElseThrow();
        assertEquals(1L, error.<Long>getAs(Tables.COUNT));
    }

    @Test
    void predictionsKeepEveryImageAndMisclassifiedOnlyTheWrongOnesWithTheirPixels() {
        List<Row> predictions = rows(Tables.PREDICTIONS, Tables.INDEX);
        assertEquals(3, predictions.size());
        assertEquals(2, predictions.get(1).<Integer>getAs(Tables.LABEL));
        assertEquals(3, predictions.get(1).<Integer>getAs(Tables.PREDICTED));
        assertEquals(0.6f, predictions.get(1).<Float>getAs(Tables.CONFIDENCE));
        List<Row> misclassified = rows(Tables.MISCLASSIFIED, Tables.INDEX);
        assertEquals(1, misclassified.size());
        assertEquals(1, misclassified.get(0).<Integer>getAs(Tables.INDEX));
        assertEquals(
                5,
                misclassified
                        .get(0)
                        .getList(misclassified.get(0).fieldIndex(Tables.PIXELS))
                        .get(0));
    }

    @Test
    void historyAndRoundsKeepEachFieldUnderItsOwnName() {
        Row second = rows(Tables.TRAINING_HISTORY, Tables.EPOCH).get(1);
        assertEquals(0.25, second.<Double>getAs(Tables.LOSS));
        assertEquals(0.95, second.<Double>getAs(Tables.ACCURACY));
        assertEquals("validation", second.<String>getAs(Tables.ACCURACY_ON));
        assertEquals(8.0, second.<Double>getAs(Tables.SECONDS));
        assertEquals(75.0, second.<Double>getAs(Tables.IMAGES_PER_SECOND));
        Row round = single(Tables.TRAINING_ROUNDS);
        assertEquals(2, round.<Integer>getAs(Tables.WORKERS));
        assertEquals(20, round.<Integer>getAs(Tables.MINIBATCHES));
        assertEquals(400L, round.<Long>getAs(Tables.IMAGES));
        assertEquals(1.25, round.<Double>getAs(Tables.SECONDS));
        assertEquals(1.0, round.<Double>getAs(Tables.FIT_SECONDS));
        assertEquals(0.25, round.<Double>getAs(Tables.AVERAGING_SECONDS));
        assertEquals(0.5, round.<Double>getAs(Tables.LOSS));
    }

    @Test
    void aRowWithAColumnLeftOutOrOneTheSchemaLacksIsRefused() {
        assertThrows(
                IllegalStateException.class,
                () -> RowBuilder.of(Tables.CONFUSION_MATRIX_SCHEMA)
                        .set(Tables.ACTUAL, 1)
                        .set(Tables.COUNT, 2L)
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> RowBuilder.of(Tables.CONFUSION_MATRIX_SCHEMA).set(Tables.LABEL, 1));
    }

    @Test
    void theCommittedRunIsMarkedComplete() {
        assertTrue(run.resolve(Tables.SUCCESS).toFile().isFile());
    }

    /** Digits 7, 7 and 1 right, a 2 taken for a 3. */
    private static Evaluation threeRightOneWrong() {
        int[] actual = {7, 7, 1, 2};
        int[] predicted = {7, 7, 1, 3};
        float[][] labels = new float[actual.length][CLASSES];
        float[][] outputs = new float[actual.length][CLASSES];
        for (int i = 0; i < actual.length; i++) {
            labels[i][actual[i]] = 1f;
            outputs[i][predicted[i]] = 1f;
        }
        Evaluation evaluation = new Evaluation(CLASSES);
        evaluation.eval(Nd4j.createFromArray(labels), Nd4j.createFromArray(outputs));
        return evaluation;
    }

    private static Prediction prediction(int index, int label, int predicted, int[] pixels) {
        float[] probabilities = new float[CLASSES];
        probabilities[predicted] = 0.6f;
        return new Prediction(index, label, predicted, 0.6f, probabilities, pixels);
    }

    private static int[] pixels(int first) {
        int[] pixels = new int[28 * 28];
        pixels[0] = first;
        return pixels;
    }

    private static Row single(String table) {
        List<Row> rows = spark.read().parquet(run.resolve(table).toString()).collectAsList();
        assertEquals(1, rows.size());
        return rows.get(0);
    }

    private static List<Row> rows(String table, String orderBy) {
        return spark.read()
                .parquet(run.resolve(table).toString())
                .orderBy(orderBy)
                .collectAsList();
    }
}
