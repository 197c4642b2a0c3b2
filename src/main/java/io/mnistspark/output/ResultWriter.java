package io.mnistspark.output;

import io.mnistspark.evaluation.Prediction;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.training.RoundRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.nd4j.evaluation.EvaluationAveraging;
import org.nd4j.evaluation.classification.Evaluation;

/** Writes the Parquet tables of the output contract ({@link Tables}) into a {@link RunFolder}. */
public final class ResultWriter {

    private final SparkSession spark;
    private final RunFolder folder;

    public ResultWriter(SparkSession spark, RunFolder folder) {
        this.spark = spark;
        this.folder = folder;
    }

    /** Facts about the run that the metrics row carries besides the evaluation itself. */
    public record RunFacts(double evalSeconds, Optional<TrainingFacts> training) {}

    /** What a 'train' run adds to its metrics row; an 'evaluate' run trained nothing and leaves these null. */
    public record TrainingFacts(double trainSeconds, int epochs, long trainExamples) {}

    public void writeMetrics(Evaluation evaluation, RunFacts facts) {
        long examples = evaluation.getNumRowCounter();
        long correct = correct(evaluation);
        Row row = RowBuilder.of(Tables.METRICS_SCHEMA)
                .set(Tables.ACCURACY, evaluation.accuracy())
                .set(Tables.PRECISION, evaluation.precision(EvaluationAveraging.Macro))
                .set(Tables.RECALL, evaluation.recall(EvaluationAveraging.Macro))
                .set(Tables.F1, evaluation.f1(EvaluationAveraging.Macro))
                .set(Tables.EXAMPLES, examples)
                .set(Tables.CORRECT, correct)
                .set(Tables.MISCLASSIFIED_COUNT, examples - correct)
                .set(
                        Tables.TRAIN_SECONDS,
                        facts.training().map(TrainingFacts::trainSeconds).orElse(null))
                .set(Tables.EVAL_SECONDS, facts.evalSeconds())
                .set(Tables.EPOCHS, facts.training().map(TrainingFacts::epochs).orElse(null))
                .set(
                        Tables.TRAIN_EXAMPLES,
                        facts.training().map(TrainingFacts::trainExamples).orElse(null))
                .build();
        write(Tables.METRICS, List.of(row), Tables.METRICS_SCHEMA);
    }

    /** The examples on the confusion matrix's diagonal. */
    static long correct(Evaluation evaluation) {
        long correct = 0;
        for (int digit = 0; digit < evaluation.getConfusion().getClasses().size(); digit++) {
            correct += evaluation.getConfusion().getCount(digit, digit);
        }
        return correct;
    }

    public void writeClassMetrics(Evaluation evaluation, int classes) {
        List<Row> rows = new ArrayList<>();
        for (int digit = 0; digit < classes; digit++) {
            rows.add(RowBuilder.of(Tables.CLASS_METRICS_SCHEMA)
                    .set(Tables.DIGIT, digit)
                    .set(Tables.PRECISION, evaluation.precision(digit))
                    .set(Tables.RECALL, evaluation.recall(digit))
                    .set(Tables.F1, evaluation.f1(digit))
                    .set(Tables.SUPPORT, (long) evaluation.getConfusion().getActualTotal(digit))
                    .build());
        }
        write(Tables.CLASS_METRICS, rows, Tables.CLASS_METRICS_SCHEMA);
    }

    /** All classes x classes cells, zeros included. */
    public void writeConfusionMatrix(Evaluation evaluation, int classes) {
        List<Row> rows = new ArrayList<>();
        for (int actual = 0; actual < classes; actual++) {
            for (int predicted = 0; predicted < classes; predicted++) {
                rows.add(RowBuilder.of(Tables.CONFUSION_MATRIX_SCHEMA)
                        .set(Tables.ACTUAL, actual)
                        .set(Tables.PREDICTED, predicted)
                        .set(Tables.COUNT, (long) evaluation.getConfusion().getCount(actual, predicted))
                        .build());
            }
        }
        write(Tables.CONFUSION_MATRIX, rows, Tables.CONFUSION_MATRIX_SCHEMA);
    }

    /** Every prediction, and the misclassified ones again with their pixels. */
    public void writePredictions(JavaRDD<Prediction> predictions) {
        writeRdd(Tables.PREDICTIONS, predictions.map(ResultWriter::predictionRow), Tables.PREDICTIONS_SCHEMA);
        writeRdd(
                Tables.MISCLASSIFIED,
                predictions.filter(p -> !p.isCorrect()).map(ResultWriter::misclassifiedRow),
                Tables.MISCLASSIFIED_SCHEMA);
    }

    public void writeTrainingHistory(List<EpochRecord> history) {
        List<Row> rows = history.stream()
                .map(e -> RowBuilder.of(Tables.TRAINING_HISTORY_SCHEMA)
                        .set(Tables.EPOCH, e.epoch())
                        .set(Tables.LOSS, e.loss())
                        .set(Tables.ACCURACY, e.accuracy())
                        .set(Tables.ACCURACY_ON, e.accuracyOn())
                        .set(Tables.SECONDS, e.seconds())
                        .set(Tables.IMAGES_PER_SECOND, e.imagesPerSecond())
                        .build())
                .toList();
        write(Tables.TRAINING_HISTORY, rows, Tables.TRAINING_HISTORY_SCHEMA);
    }

    public void writeTrainingRounds(List<RoundRecord> rounds) {
        List<Row> rows = rounds.stream()
                .map(r -> RowBuilder.of(Tables.TRAINING_ROUNDS_SCHEMA)
                        .set(Tables.EPOCH, r.epoch())
                        .set(Tables.ROUND, r.round())
                        .set(Tables.WORKERS, r.workers())
                        .set(Tables.MINIBATCHES, r.minibatches())
                        .set(Tables.IMAGES, r.images())
                        .set(Tables.SECONDS, r.seconds())
                        .set(Tables.FIT_SECONDS, r.fitSeconds())
                        .set(Tables.AVERAGING_SECONDS, r.averagingSeconds())
                        .set(Tables.LOSS, r.loss())
                        .build())
                .toList();
        write(Tables.TRAINING_ROUNDS, rows, Tables.TRAINING_ROUNDS_SCHEMA);
    }

    private void write(String table, List<Row> rows, StructType schema) {
        spark.createDataFrame(rows, schema)
                .coalesce(1)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .parquet(folder.path(table));
    }

    private void writeRdd(String table, JavaRDD<Row> rows, StructType schema) {
        Dataset<Row> frame = spark.createDataFrame(rows, schema).orderBy(Tables.INDEX);
        frame.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(folder.path(table));
    }

    private static Row predictionRow(Prediction p) {
        return predictionColumns(RowBuilder.of(Tables.PREDICTIONS_SCHEMA), p).build();
    }

    private static Row misclassifiedRow(Prediction p) {
        Integer[] pixels = Arrays.stream(p.pixels()).boxed().toArray(Integer[]::new);
        return predictionColumns(RowBuilder.of(Tables.MISCLASSIFIED_SCHEMA), p)
                .set(Tables.PIXELS, pixels)
                .build();
    }

    private static RowBuilder predictionColumns(RowBuilder row, Prediction p) {
        return row.set(Tables.INDEX, p.index())
                .set(Tables.LABEL, p.label())
                .set(Tables.PREDICTED, p.predicted())
                .set(Tables.CONFIDENCE, p.confidence())
                .set(Tables.PROBABILITIES, boxed(p.probabilities()));
    }

    private static Float[] boxed(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
