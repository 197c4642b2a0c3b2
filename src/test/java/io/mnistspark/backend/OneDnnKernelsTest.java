package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.model.ReferenceCnn;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** mnist-spark's own oneDNN kernels: on every convolution and ReLU, and the same network as DL4J's path. */
class OneDnnKernelsTest {

    private static final int[] CONVOLUTION_LAYERS = {0, 1, 3};
    private static final int[] POOLING_LAYERS = {2, 4};
    private static final int[] DENSE_LAYERS = {5, 6};
    /** The dense layers drop some of their inputs. */
    private static final int[] DROPOUT_LAYERS = {5, 6};
    /** The three convolutions and the two hidden dense layers. */
    private static final int[] RELU_LAYERS = {0, 1, 3, 5, 6};
    /** Every layer but the output layer. */
    private static final List<Integer> KERNEL_LAYERS = List.of(0, 1, 2, 3, 4, 5, 6);

    @Test
    void install_givesConvolutionsTheirHelperPoolingAndDenseLayersTheirLayersAndReluLayersTheirActivation_once() {
        MultiLayerNetwork network = referenceCnn();

        assertEquals(KERNEL_LAYERS.size(), OneDnnKernels.install(network));
        for (int i : CONVOLUTION_LAYERS) {
            assertInstanceOf(OneDnnConvolutionLayer.class, network.getLayer(i), "layer " + i);
            assertInstanceOf(
                    OneDnnConvolution.class, ((ConvolutionLayer) network.getLayer(i)).getHelper(), "layer " + i);
        }
        for (int i : POOLING_LAYERS) {
            assertInstanceOf(OneDnnMaxPooling.class, network.getLayer(i), "layer " + i);
            assertEquals(i, network.getLayer(i).getIndex());
        }
        for (int i : DENSE_LAYERS) {
            assertInstanceOf(OneDnnDenseLayer.class, network.getLayer(i), "layer " + i);
            assertEquals(i, network.getLayer(i).getIndex());
        }
        for (int i : DROPOUT_LAYERS) {
            assertTrue(
                    OnePassDropout.installedOn(
                            network.getLayer(i).conf().getLayer().getIDropout()),
                    "layer " + i);
        }
        for (int i : RELU_LAYERS) {
            assertInstanceOf(OneDnnRelu.class, activation(network, i), "layer " + i);
        }
        assertInstanceOf(ActivationSoftmax.class, activation(network, 7), "the output layer keeps its softmax");
        assertEquals(0, OneDnnKernels.install(network), "a second install changes nothing");
    }

    @Test
    void copyForTiming_hasTheKernelsAndTheSameParameters_andLeavesTheOriginalAsItWas() {
        MultiLayerNetwork original = referenceCnn();

        MultiLayerNetwork copy = OneDnnKernels.copyForTiming(original);

        assertEquals(KERNEL_LAYERS, OneDnnKernels.layersOnKernels(copy));
        assertEquals(List.of(), OneDnnKernels.layersOnKernels(original));
        assertEquals(original.params(), copy.params());
    }

    @Test
    void outputs_matchDl4jsOwnPathOnTheSameWeights() {
        MultiLayerNetwork dl4j = referenceCnn();
        MultiLayerNetwork direct = copyWithOneDnnKernels(dl4j);
        INDArray images = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28);

        INDArray expected = dl4j.output(images, false);
        INDArray actual = direct.output(images, false);

        assertTrue(expected.equalsWithEps(actual, 1e-5), "outputs differ:\n" + expected + "\n" + actual);
    }

    @Test
    void installForPredicting_predictsAsDl4jsOwnPath_atTheInferenceBatchAndAShorterOneAfterIt() {
        MultiLayerNetwork dl4j = referenceCnn();
        MultiLayerNetwork direct = OneDnnKernels.installForPredicting(dl4j.clone());
        assertEquals(KERNEL_LAYERS, OneDnnKernels.layersOnKernels(direct));

        // The evaluation's slices: whole inference batches, the last one shorter (new primitives for its shape).
        for (int images : new int[] {ReferenceCnn.INFERENCE_BATCH, 37}) {
            INDArray batch = Nd4j.rand(DataType.FLOAT, images, 1, 28, 28);
            INDArray expected = dl4j.output(batch, false);
            INDArray actual = direct.output(batch, false);
            assertTrue(
                    expected.equalsWithEps(actual, 1e-5),
                    images + " images: outputs differ by "
                            + expected.sub(actual).amaxNumber());
        }
    }

    @Test
    void gradients_matchDl4jsOwnPathOnTheSameWeightsAndDropoutMasks() {
        MultiLayerNetwork dl4j = referenceCnn();
        MultiLayerNetwork direct = copyWithOneDnnKernels(dl4j);
        drawDropoutMasksAsTheKernelsDo(dl4j);

        // Two minibatches in a row: the second lands in the memory the first used, and the helper keeps the
        // reordered input of a forward pass for the backpropagation after it, which must be the new minibatch's.
        for (int minibatch = 1; minibatch <= 2; minibatch++) {
            DataSet data = randomMinibatch(32);
            Map<String, INDArray> expected = gradients(dl4j, data);
            Map<String, INDArray> actual = gradients(direct, data);

            // The score is computed after backpropagation, from arrays the forward pass left (the training loss).
            assertEquals(dl4j.score(), direct.score(), 1e-4, "minibatch " + minibatch + ": the score");
            assertEquals(expected.keySet(), actual.keySet());
            for (String parameter : expected.keySet()) {
                INDArray want = expected.get(parameter);
                INDArray got = actual.get(parameter);
                assertNotEquals(0.0, want.amaxNumber().doubleValue(), parameter + " has a gradient at all");
                assertTrue(
                        want.equalsWithEps(got, 1e-4),
                        "minibatch " + minibatch + ": " + parameter + " differs by "
                                + want.sub(got).amaxNumber() + " (largest " + want.amaxNumber() + ")");
            }
        }
    }

    @Test
    void poolingAfterAConvolution_appliesItsReluDerivative_soTheConvolutionPassesTheGradientOn() {
        MultiLayerNetwork direct = copyWithOneDnnKernels(referenceCnn());
        for (int minibatch = 1; minibatch <= 2; minibatch++) {
            gradients(direct, randomMinibatch(32));
        }
        // The convolutions in front of the pooling layers; the first one feeds a convolution, which does not.
        for (int layer : new int[] {1, 3}) {
            assertEquals(2, ((OneDnnRelu) activation(direct, layer)).gradientsPassedOn(), "layer " + layer);
        }
        assertEquals(0, ((OneDnnRelu) activation(direct, 0)).gradientsPassedOn(), "layer 0");
    }

    @Test
    void fit_onTheKernels_leavesTheSameParametersAsDl4jsPath_twoStepsInARow() {
        MultiLayerNetwork dl4j = referenceCnn();
        MultiLayerNetwork direct = copyWithOneDnnKernels(dl4j);
        drawDropoutMasksAsTheKernelsDo(dl4j);

        // The kernels' convolution layers take the place of DL4J's and must train the network's own parameters.
        for (int step = 1; step <= 2; step++) {
            DataSet data = randomMinibatch(32);
            Nd4j.getRandom().setSeed(23);
            dl4j.fit(data);
            Nd4j.getRandom().setSeed(23);
            direct.fit(data);

            INDArray difference = dl4j.params().sub(direct.params());
            assertTrue(
                    difference.amaxNumber().doubleValue() < 1e-4,
                    "step " + step + ": parameters differ by " + difference.amaxNumber());
        }
        assertNotEquals(referenceCnn().params(), direct.params(), "the parameters moved");
    }

    @Test
    void switch_turnsOneDnnKernelsOff() throws Exception {
        assertFalse(KernelSwitch.with(false, OneDnnKernels::enabled));
        assertTrue(KernelSwitch.with(true, OneDnnKernels::enabled));
    }

    private static Object activation(MultiLayerNetwork network, int layer) {
        return ((BaseLayer) network.getLayer(layer).conf().getLayer()).getActivationFn();
    }

    private static MultiLayerNetwork referenceCnn() {
        MultiLayerNetwork network = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 3));
        network.init();
        return network;
    }

    /**
     * DL4J's own layers with the kernels' dropout masks: OnePassDropout draws other masks than libnd4j's generator, so
     * the two networks can only be compared on the same masks this way (OnePassDropoutTest checks the dropout).
     */
    private static void drawDropoutMasksAsTheKernelsDo(MultiLayerNetwork dl4j) {
        int installed = 0;
        for (var layer : dl4j.getLayers()) {
            installed += OnePassDropout.install(layer.conf().getLayer().getIDropout()) ? 1 : 0;
        }
        assertEquals(DROPOUT_LAYERS.length, installed);
    }

    private static MultiLayerNetwork copyWithOneDnnKernels(MultiLayerNetwork template) {
        MultiLayerNetwork copy = OneDnnKernels.copyForTiming(template);
        assertEquals(KERNEL_LAYERS, OneDnnKernels.layersOnKernels(copy));
        return copy;
    }

    private static DataSet randomMinibatch(int size) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, size, ReferenceCnn.CLASSES);
        for (int i = 0; i < size; i++) {
            labels.putScalar(i, i % ReferenceCnn.CLASSES, 1f);
        }
        return new DataSet(Nd4j.rand(DataType.FLOAT, size, 1, 28, 28), labels);
    }

    /** The gradient of every parameter for one minibatch, with the same dropout masks whichever network runs. */
    private static Map<String, INDArray> gradients(MultiLayerNetwork network, DataSet minibatch) {
        network.setInput(minibatch.getFeatures());
        network.setLabels(minibatch.getLabels());
        Nd4j.getRandom().setSeed(11);
        network.computeGradientAndScore();
        Map<String, INDArray> gradients = new java.util.TreeMap<>();
        network.gradient().gradientForVariable().forEach((name, gradient) -> gradients.put(name, gradient.dup()));
        return gradients;
    }
}
