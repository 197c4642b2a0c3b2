package io.mnistspark.output;

import io.mnistspark.evaluation.Prediction;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.training.RoundRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
    public record RunFacts(double evalSeconds, Double trainSeconds, Integer epochs, Long trainExamples) {
    }

    public void writeMetrics(Evaluation evaluation, RunFacts facts) {
        long examples = evaluation.getNumRowCounter();
        long correct = correct(evaluation);
        Row row = RowFactory.create(evaluation.accuracy(),
                evaluation.precision(EvaluationAveraging.Macro), evaluation.recall(EvaluationAveraging.Macro),
                evaluation.f1(EvaluationAveraging.Macro), examples, correct, examples - correct,
                facts.trainSeconds(), facts.evalSeconds(), facts.epochs(), facts.trainExamples());
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
            rows.add(RowFactory.create(digit, evaluation.precision(digit), evaluation.recall(digit),
                    evaluation.f1(digit), (long) evaluation.getConfusion().getActualTotal(digit)));
        }
        write(Tables.CLASS_METRICS, rows, Tables.CLASS_METRICS_SCHEMA);
    }

    /** All classes x classes cells, zeros included. */
    public void writeConfusionMatrix(Evaluation evaluation, int classes) {
        List<Row> rows = new ArrayList<>();
        for (int actual = 0; actual < classes; actual++) {
            for (int predicted = 0; predicted < classes; predicted++) {
                rows.add(RowFactory.create(actual, predicted,
                        (long) evaluation.getConfusion().getCount(actual, predicted)));
            }
        }
        write(Tables.CONFUSION_MATRIX, rows, Tables.CONFUSION_MATRIX_SCHEMA);
    }

    /** Every prediction, and the misclassified ones again with their pixels. */
    public void writePredictions(JavaRDD<Prediction> predictions) {
        writeRdd(Tables.PREDICTIONS, predictions.map(ResultWriter::predictionRow), Tables.PREDICTIONS_SCHEMA);
        writeRdd(Tables.MISCLASSIFIED, predictions.filter(p -> !p.isCorrect()).map(ResultWriter::misclassifiedRow),
                Tables.MISCLASSIFIED_SCHEMA);
    }

    public void writeTrainingHistory(List<EpochRecord> history) {
        List<Row> rows = history.stream().map(e -> RowFactory.create(e.epoch(), e.loss(), e.accuracy(),
                e.accuracyOn(), e.seconds(), e.imagesPerSecond())).toList();
        write(Tables.TRAINING_HISTORY, rows, Tables.TRAINING_HISTORY_SCHEMA);
    }

    public void writeTrainingRounds(List<RoundRecord> rounds) {
        List<Row> rows = rounds.stream().map(r -> RowFactory.create(r.epoch(), r.round(), r.workers(),
                r.minibatches(), r.images(), r.seconds(), r.fitSeconds(), r.averagingSeconds(), r.loss())).toList();
        write(Tables.TRAINING_ROUNDS, rows, Tables.TRAINING_ROUNDS_SCHEMA);
    }

    private void write(String table, List<Row> rows, StructType schema) {
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(folder.path(table));
    }

    private void writeRdd(String table, JavaRDD<Row> rows, StructType schema) {
        Dataset<Row> frame = spark.createDataFrame(rows, schema).orderBy(Tables.INDEX);
        frame.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(folder.path(table));
    }

    private static Row predictionRow(Prediction p) {
        return RowFactory.create(p.index(), p.label(), p.predicted(), p.confidence(), boxed(p.probabilities()));
    }

    private static Row misclassifiedRow(Prediction p) {
        Integer[] pixels = java.util.Arrays.stream(p.pixels()).boxed().toArray(Integer[]::new);
        return RowFactory.create(p.index(), p.label(), p.predicted(), p.confidence(), boxed(p.probabilities()),
                pixels);
    }

    private static Float[] boxed(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
