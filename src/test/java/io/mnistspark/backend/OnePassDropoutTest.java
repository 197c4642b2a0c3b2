package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.model.ReferenceCnn;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The kernels' dropout: DL4J's inverted dropout, its mask drawn in one pass in Java. */
class OnePassDropoutTest {

    private static final double RETAIN = 0.6;

    @Test
    void applyDropout_keepsAShareRetainOfTheValuesScaledByItsInverse_andZeroesTheRest() {
        Dropout dropout = withHelper(RETAIN);
        INDArray input = Nd4j.rand(DataType.FLOAT, 200, 1250).addi(0.5);

        INDArray output = apply(dropout, input);

        INDArray mask = helper(dropout).lastMask().reshape('c', input.shape());
        assertTrue(output.equalsWithEps(input.mul(mask), 1e-6), "the output is the input times the mask");
        long kept = mask.neq(0).castTo(DataType.INT).sumNumber().longValue();
        long zeroed = mask.eq(0).castTo(DataType.INT).sumNumber().longValue();
        assertEquals(input.length(), kept + zeroed);
        assertEquals(
                input.length(),
                mask.eq((float) (1 / RETAIN)).castTo(DataType.INT).sumNumber().longValue() + zeroed,
                "every kept value is scaled by 1/p");
        // 250,000 draws: the share's standard deviation is 0.001, so 0.005 is five of them.
        assertEquals(RETAIN, kept / (double) input.length(), 0.005, "share kept");
    }

    @Test
    void backprop_multipliesTheGradientByTheForwardPassesMask() {
        Dropout dropout = withHelper(RETAIN);
        INDArray input = Nd4j.rand(DataType.FLOAT, 32, 128);
        apply(dropout, input);
        INDArray mask = helper(dropout).lastMask().reshape('c', input.shape()).dup();
        INDArray gradient = Nd4j.rand(DataType.FLOAT, 32, 128);
        INDArray expected = gradient.mul(mask);

        INDArray actual = dropout.backprop(gradient, gradient, 0, 0);

        assertTrue(expected.equalsWithEps(actual, 1e-6), "gradient times mask");
    }

    @Test
    void masks_repeatWithNd4jsSeed_andDifferBetweenCalls() {
        Dropout dropout = withHelper(RETAIN);
        INDArray input = Nd4j.ones(DataType.FLOAT, 64, 100);

        Nd4j.getRandom().setSeed(42);
        INDArray first = apply(dropout, input);
        INDArray second = apply(dropout, input);
        Nd4j.getRandom().setSeed(42);
        INDArray again = apply(dropout, input);

        assertEquals(first, again, "the same seed draws the same mask");
        assertNotEquals(first, second, "the next call draws another");
    }

    @Test
    void install_takesOnlyPlainDropoutWithAFixedProbability_once() {
        Dropout plain = new Dropout(RETAIN);
        assertTrue(OnePassDropout.install(plain));
        assertTrue(OnePassDropout.installedOn(plain));
        assertFalse(OnePassDropout.install(plain), "already has it");
        assertFalse(OnePassDropout.install(new Dropout(new ExponentialSchedule(ScheduleType.ITERATION, 0.9, 0.99))));
        assertFalse(OnePassDropout.install(null));
    }

    @Test
    void theHelper_isNotPartOfTheConfigurationDl4jSaves() {
        MultiLayerConfiguration configuration = ReferenceCnn.configuration(1e-3, 3);
        String before = configuration.toJson();

        int installed = 0;
        for (var layer : configuration.getConfs()) {
            installed += OnePassDropout.install(layer.getLayer().getIDropout()) ? 1 : 0;
        }

        assertEquals(2, installed, "the two dense layers' dropout");
        assertEquals(before, configuration.toJson());
    }

    private static Dropout withHelper(double retain) {
        Dropout dropout = new Dropout(retain);
        assertTrue(OnePassDropout.install(dropout));
        return dropout;
    }

    private static OnePassDropout helper(Dropout dropout) {
        return (OnePassDropout) dropout.getHelper();
    }

    private static INDArray apply(Dropout dropout, INDArray input) {
        INDArray result = Nd4j.createUninitialized(DataType.FLOAT, input.shape(), input.ordering());
        return dropout.applyDropout(input, result, 0, 0, LayerWorkspaceMgr.noWorkspaces());
    }
}
