package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The metrics row's counts, from a DL4J evaluation of hand-made labels and network outputs (no Spark). */
class MetricsArithmeticTest {

    private static final int CLASSES = 10;

    @Test
    void correct_isTheConfusionMatrixDiagonal_misclassifiedTheRest() {
        Evaluation evaluation = evaluation(new int[] {7, 2, 1, 0, 4}, new int[] {7, 2, 7, 0, 9});

        assertEquals(3, ResultWriter.correct(evaluation));
        // writeMetrics writes examples - correct as misclassified
        assertEquals(5, evaluation.getNumRowCounter());
    }

    @Test
    void correct_allWrong_isZero() {
        assertEquals(0, ResultWriter.correct(evaluation(new int[] {1, 2, 3}, new int[] {2, 3, 1})));
    }

    @Test
    void correct_ofMergedPartitionEvaluations_isTheirSum() {
        // The Spark evaluation merges one Evaluation per partition
        Evaluation merged = evaluation(new int[] {0, 1, 9}, new int[] {0, 1, 8});
        merged.merge(evaluation(new int[] {9, 9}, new int[] {9, 9}));

        assertEquals(4, ResultWriter.correct(merged));
        assertEquals(5, merged.getNumRowCounter());
    }

    /** An evaluation of outputs that put most weight on {@code predicted[i]} for examples labelled {@code actual[i]}. */
    private static Evaluation evaluation(int[] actual, int[] predicted) {
        INDArray labels = Nd4j.zeros(actual.length, CLASSES);
        INDArray outputs = Nd4j.ones(actual.length, CLASSES).muli(0.02);
        for (int i = 0; i < actual.length; i++) {
            labels.putScalar(i, actual[i], 1.0);
            outputs.putScalar(i, predicted[i], 0.82);
        }
        Evaluation evaluation = new Evaluation(CLASSES);
        evaluation.eval(labels, outputs);
        return evaluation;
    }
}
