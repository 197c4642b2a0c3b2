package io.mnistspark.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mnistspark.config.OuterOptimizerKind;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OuterOptimizerTest {

    private static final float TOLERANCE = 1e-6f;

    @Test
    void nesterov_overTwoRounds_matchesTheHandComputedSteps() {
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizerKind.NESTEROV, 0.7, 0.9);

        // Round 1: g = [0.5, -0.5], v = g, step = 0.7 * (g + 0.9 v) = [0.665, -0.665]
        INDArray afterFirst = outer.apply(vector(1, 2), vector(0.5f, 2.5f));
        assertArrayEquals(new float[] {0.335f, 2.665f}, afterFirst.toFloatVector(), TOLERANCE);
        assertArrayEquals(new float[] {0.5f, -0.5f}, outer.velocity().toFloatVector(), TOLERANCE);

        // Round 2: g = [0.1, 0], v = 0.9 [0.5, -0.5] + g = [0.55, -0.45], step = 0.7 * [0.595, -0.405]
        INDArray afterSecond = outer.apply(afterFirst, vector(0.235f, 2.665f));
        assertArrayEquals(new float[] {0.55f, -0.45f}, outer.velocity().toFloatVector(), TOLERANCE);
        assertArrayEquals(new float[] {-0.0815f, 2.9485f}, afterSecond.toFloatVector(), TOLERANCE);
    }

    @Test
    void nesterov_leavesTheParametersItWasGivenAsTheyWere() {
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizerKind.NESTEROV, 0.7, 0.9);
        INDArray start = vector(1, 2);
        INDArray averaged = vector(0.5f, 2.5f);

        outer.apply(start, averaged);

        assertArrayEquals(new float[] {1, 2}, start.toFloatVector());
        assertArrayEquals(new float[] {0.5f, 2.5f}, averaged.toFloatVector());
    }

    @Test
    void none_isThePlainAverage_andKeepsNoState() {
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizerKind.NONE, 1, 0);
        INDArray averaged = vector(0.5f, 2.5f);

        assertSame(averaged, outer.apply(vector(1, 2), averaged));
        assertNull(outer.velocity());
    }

    @Test
    void nesterovWithRateOneAndNoMomentum_isThePlainAverageToo() {
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizerKind.NESTEROV, 1, 0);

        INDArray result = outer.apply(vector(1, 2), vector(0.5f, 2.5f));

        assertArrayEquals(new float[] {0.5f, 2.5f}, result.toFloatVector(), TOLERANCE);
    }

    private static INDArray vector(float... values) {
        return Nd4j.createFromArray(values);
    }
}
