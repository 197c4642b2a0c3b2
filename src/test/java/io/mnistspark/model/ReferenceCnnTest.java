package io.mnistspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReferenceCnnTest {

    private static MultiLayerNetwork network;

    @BeforeAll
    static void build() {
        network = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 7));
        network.init();
    }

    @Test
    void parameterCounts_matchTheKerasModel() {
        long[] expected = {520, 1_620, 0, 4_050, 0, 160_128, 8_256, 650};
        long[] actual = new long[network.getLayers().length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = network.getLayer(i).numParams();
        }
        assertArrayEquals(expected, actual);
        assertEquals(175_224, network.numParams());
    }

    @Test
    void convolutionsKeepTheirForwardPassForBackprop() {
        // Without the cache DL4J runs each convolution forward a second time inside backprop
        assertEquals(CacheMode.DEVICE, network.getLayerWiseConfigurations().getCacheMode());
    }

    @Test
    void layerOutputShapes_matchTheKerasModel() {
        INDArray batch = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 1, 28, 28);
        var activations = network.feedForward(batch, false);
        long[][] expected = {
            {3, 1, 28, 28}, // input
            {3, 20, 24, 24},
            {3, 20, 23, 23},
            {3, 20, 11, 11},
            {3, 50, 10, 10},
            {3, 50, 5, 5},
            {3, 128},
            {3, 64},
            {3, 10}
        };
        assertEquals(expected.length, activations.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], activations.get(i).shape(), "activation " + i);
        }
    }

    @Test
    void dropout_usesRetainProbabilitiesForKerasDropRates() {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        DenseLayer dense128 = (DenseLayer) conf.getConf(5).getLayer();
        DenseLayer dense64 = (DenseLayer) conf.getConf(6).getLayer();
        assertEquals(0.6, ((Dropout) dense128.getIDropout()).getP(), 1e-12); // Keras Dropout(0.4)
        assertEquals(0.8, ((Dropout) dense64.getIDropout()).getP(), 1e-12); // Keras Dropout(0.2)
    }

    @Test
    void weights_startGlorotUniformAndOnlyDense64HasL1() {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        for (int i : new int[] {0, 1, 3, 5, 6, 7}) {
            BaseLayer layer = (BaseLayer) conf.getConf(i).getLayer();
            assertEquals(WeightInitXavierUniform.class, layer.getWeightInitFn().getClass(), "layer " + i);
            assertEquals(i == 6 ? 1 : 0, layer.getRegularization().size(), "regularisations of layer " + i);
        }
    }

    @Test
    void learningRate_decaysOncePerEpoch() {
        MultiLayerConfiguration conf = ReferenceCnn.configuration(0.002, 0.9, 7);
        org.nd4j.linalg.learning.config.Adam adam = (org.nd4j.linalg.learning.config.Adam)
                ((BaseLayer) conf.getConf(0).getLayer()).getIUpdater();

        assertEquals(0.002, adam.getLearningRate(500, 0), 1e-12);
        assertEquals(0.002 * 0.9 * 0.9, adam.getLearningRate(0, 2), 1e-12);
    }

    @Test
    void softmaxOutput_sumsToOne() {
        INDArray out = network.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 1, 28, 28));
        for (int row = 0; row < 4; row++) {
            assertEquals(1.0, out.getRow(row).sumNumber().doubleValue(), 1e-5);
        }
    }
}
