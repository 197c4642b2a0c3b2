package io.mnistspark.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the hottest arithmetic of a network that is about to train onto oneDNN primitives that mnist-spark calls
 * itself: the convolutions ({@link OneDnnConvolution}, {@link OneDnnConvolutionLayer}), the max pooling
 * ({@link OneDnnMaxPooling}), the dense layers' matrix products ({@link OneDnnDenseLayer}), the ReLUs
 * ({@link OneDnnRelu}) and, in Java, the dropout ({@link OnePassDropout}), with the convolution stack's activations
 * channels-last from the first layer to the flatten. Same layers, same parameters, same results within float
 * rounding (docs/performance.md gives what each kernel was worth).
 *
 * <p>For networks that are trained and then thrown away, like the copies dl4j-spark builds for its workers: the ReLUs
 * are replaced in the network's layer configuration, which a saved copy of that configuration would name. So the
 * kernels are installed only through {@link #trainingHook()}, {@link #copyForTiming} and
 * {@link #installForPredicting}, and the places that save a
 * network refuse one that has them ({@link #requireNotInstalled}).
 *
 * <p>Switch: {@code -Dmnist.onednn.direct=false} or {@code MNIST_ONEDNN_DIRECT=false} keeps DL4J's own code; the
 * general oneDNN switch of {@link NativeBackend} turns this off too. Where oneDNN's native library cannot load,
 * networks stay as they are and one warning says why.
 */
public final class OneDnnKernels {

    public static final String SWITCH_PROPERTY = "mnist.onednn.direct";
    public static final String SWITCH_ENV = "MNIST_ONEDNN_DIRECT";

    private static final Logger log = LoggerFactory.getLogger(OneDnnKernels.class);

    private OneDnnKernels() {}

    /** Whether this JVM's settings ask for mnist-spark's oneDNN kernels. */
    public static boolean enabled() {
        return NativeBackend.enabled() && NativeBackend.switchedOn(SWITCH_PROPERTY, SWITCH_ENV);
    }

    /**
     * The dl4j-spark training hook that installs the kernels on each worker's network before it trains; empty when
     * {@link #enabled()} says no. Ask on the driver: the hook travels to the executors, which then follow the driver's
     * switch without settings of their own.
     */
    public static Optional<TrainingHook> trainingHook() {
        return enabled() ? Optional.of(new OneDnnKernelsHook()) : Optional.empty();
    }

    /** Whether oneDNN's native library loads in this JVM (loading it on first call). */
    public static boolean available() {
        return NativeLibrary.LOADED;
    }

    /**
     * A copy of {@code network} (configuration, parameters, updater state) with the kernels installed, for timing
     * and comparing training steps; {@code network} itself is left as it is. The copy cannot be saved
     * ({@link #requireNotInstalled}). Without oneDNN here it keeps DL4J's own code.
     */
    public static MultiLayerNetwork copyForTiming(MultiLayerNetwork network) {
        MultiLayerNetwork copy = network.clone();
        install(copy);
        return copy;
    }

    /**
     * Installs the kernels on {@code network}, a copy of a model rebuilt only to predict with and then thrown away (an
     * executor's copy in the distributed evaluation), and returns it. Inference runs the kernels' forward code, the
     * same as in training. Ask {@link #enabled()} on the driver and send the answer along, as {@link #trainingHook()}
     * does; without oneDNN here the network keeps DL4J's own code.
     */
    public static MultiLayerNetwork installForPredicting(MultiLayerNetwork network) {
        install(network);
        return network;
    }

    /** The indices of the layers of {@code network} that run a kernel of this package. */
    public static List<Integer> layersOnKernels(MultiLayerNetwork network) {
        List<Integer> found = new ArrayList<>();
        Layer[] layers = network.getLayers();
        for (int index = 0; index < layers.length; index++) {
            boolean convolution =
                    layers[index] instanceof ConvolutionLayer layer && layer.getHelper() instanceof OneDnnConvolution;
            boolean pooling = layers[index] instanceof OneDnnMaxPooling;
            boolean dense = layers[index] instanceof OneDnnDenseLayer;
            boolean dropout = OnePassDropout.installedOn(network.getLayerWiseConfigurations()
                    .getConf(index)
                    .getLayer()
                    .getIDropout());
            // The configuration DL4J saves, the one installRelu changes
            boolean relu = network.getLayerWiseConfigurations().getConf(index).getLayer() instanceof BaseLayer layer
                    && layer.getActivationFn() instanceof OneDnnRelu;
            if (convolution || pooling || dense || relu || dropout) {
                found.add(index);
            }
        }
        return found;
    }

    /**
     * Fails when {@code network} runs the kernels; whatever saves a network calls this before it writes anything.
     * {@link OneDnnRelu} sits in the layers' configuration, which DL4J saves by class name: the model would load only
     * where mnist-spark's classes are, and bring the kernels with it.
     *
     * @throws IllegalStateException naming the layers
     */
    public static void requireNotInstalled(MultiLayerNetwork network) {
        List<Integer> layers = layersOnKernels(network);
        if (!layers.isEmpty()) {
            throw new IllegalStateException("Refusing to save a network whose layers " + layers + " run mnist-spark's "
                    + "oneDNN kernels: they belong on networks that are thrown away after training or timing (the "
                    + "workers' and OneDnnKernels.copyForTiming's); save the network they were not installed on");
        }
    }

    /**
     * Gives each 2-D convolution layer of {@code network} a {@link OneDnnConvolution}, each plain ReLU a
     * {@link OneDnnRelu}, each plain dropout a {@link OnePassDropout}, and puts a {@link OneDnnMaxPooling} in place of
     * each pooling layer and a {@link OneDnnDenseLayer} in place of each dense ReLU layer, where it does not have them
     * yet. Does nothing when oneDNN cannot load here. Only for networks that are thrown away after training,
     * timing or predicting: {@link #trainingHook()}, {@link #copyForTiming} and {@link #installForPredicting}.
     *
     * @return how many layers changed now
     */
    static int install(MultiLayerNetwork network) {
        if (!NativeLibrary.LOADED) {
            return 0;
        }
        // The thread that installs the kernels is the one that runs them: a worker's task, an evaluation's, main's.
        NativeBackend.limitOpenMpThreads();
        Layer[] layers = network.getLayers();
        int changed = 0;
        for (int index = 0; index < layers.length; index++) {
            boolean convolution = installConvolution(network, index);
            boolean pooling = installPooling(network, index);
            boolean dense = installDense(network, index);
            boolean relu = installRelu(layers[index]);
            boolean dropout =
                    OnePassDropout.install(layers[index].conf().getLayer().getIDropout());
            changed += convolution || pooling || dense || relu || dropout ? 1 : 0;
        }
        return changed;
    }

    /**
     * Replaces the network's pooling layer at {@code index}, in the array DL4J runs the layers from (its by-name map
     * keeps the old one: nothing that trains or predicts looks layers up by name).
     */
    private static boolean installPooling(MultiLayerNetwork network, int index) {
        Layer[] layers = network.getLayers();
        // Exactly this class, as for the convolutions.
        if (layers[index].getClass() != SubsamplingLayer.class) {
            return false;
        }
        OneDnnMaxPooling pooling = new OneDnnMaxPooling(
                (SubsamplingLayer) layers[index],
                network.getLayerWiseConfigurations().getDataType());
        // After a convolution on its ReLU (installed by now: install goes from the first layer to the last), the
        // pooling's backward pass applies the ReLU's derivative.
        if (index > 0
                && layers[index - 1] instanceof OneDnnConvolutionLayer
                && layers[index - 1].conf().getLayer() instanceof BaseLayer previous
                && previous.getActivationFn() instanceof OneDnnRelu relu) {
            pooling.applyDerivativeOf(relu);
        }
        layers[index] = pooling;
        return true;
    }

    /**
     * Replaces the network's convolution layer at {@code index} by one on a {@link OneDnnConvolution} that shares its
     * parameters (the by-name map keeps the old one, as for pooling).
     */
    private static boolean installConvolution(MultiLayerNetwork network, int index) {
        Layer[] layers = network.getLayers();
        // Exactly this class: its subclasses (1-D, depthwise, separable, ...) compute something else.
        if (layers[index].getClass() != ConvolutionLayer.class) {
            return false;
        }
        ConvolutionLayer original = (ConvolutionLayer) layers[index];
        boolean relu = original.conf().getLayer() instanceof BaseLayer configuration
                && OneDnnRelu.replaces(configuration.getActivationFn());
        // The first layer's input gradient would only be thrown away.
        OneDnnConvolution convolution = new OneDnnConvolution(index > 0, relu);
        layers[index] = new OneDnnConvolutionLayer(
                original, network.getLayerWiseConfigurations().getDataType(), convolution);
        return true;
    }

    /**
     * Replaces the network's dense ReLU layer at {@code index} by a {@link OneDnnDenseLayer} sharing its parameters
     * (the by-name map keeps the old one, as for pooling). Call before {@link #installRelu}, which changes the
     * activation the layer's configuration names.
     */
    private static boolean installDense(MultiLayerNetwork network, int index) {
        Layer[] layers = network.getLayers();
        // Exactly this class, as for the convolutions.
        if (layers[index].getClass() != org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                || !OneDnnDenseLayer.replaces((DenseLayer) layers[index].conf().getLayer())) {
            return false;
        }
        layers[index] = new OneDnnDenseLayer(
                (org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer) layers[index],
                network.getLayerWiseConfigurations().getDataType());
        return true;
    }

    private static boolean installRelu(Layer layer) {
        if (layer.conf().getLayer() instanceof BaseLayer configuration
                && OneDnnRelu.replaces(configuration.getActivationFn())) {
            configuration.setActivationFn(new OneDnnRelu());
            return true;
        }
        return false;
    }

    /** Loads oneDNN's native library once per JVM, on first use. */
    private static final class NativeLibrary {
        static final boolean LOADED = load();

        private static boolean load() {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                log.info("Convolutions, max pooling, dense layers and ReLUs run on oneDNN directly "
                        + "(io.mnistspark.backend.OneDnnKernels)");
                return true;
            } catch (LinkageError | RuntimeException e) {
                log.warn("oneDNN's native library did not load ({}); layers keep DL4J's own code", e.toString());
                return false;
            }
        }
    }
}
