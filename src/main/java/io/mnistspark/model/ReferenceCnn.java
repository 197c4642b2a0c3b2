package io.mnistspark.model;

import io.mnistspark.data.MnistIdx;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The reference CNN of the Keras notebook mnist-spark grew from (99.35% test accuracy), layer for layer:
 * <pre>
 * Conv 20@5x5 ReLU, Conv 20@2x2 ReLU, MaxPool 2x2/2, Conv 50@2x2 ReLU, MaxPool 2x2/2, Flatten,
 * Dropout 0.4, Dense 128 ReLU, Dropout 0.2, Dense 64 ReLU (L1 5e-4 on weights), Dense 10 softmax
 * </pre>
 * Adam, cross-entropy, Glorot-uniform weights and zero biases as Keras initialises them. 175,224 parameters.
 */
public final class ReferenceCnn {

    public static final int HEIGHT = MnistIdx.ROWS;
    public static final int WIDTH = MnistIdx.COLUMNS;
    public static final int CHANNELS = 1;
    public static final int CLASSES = MnistIdx.CLASSES;

    /** Images scored in one forward pass where nothing trains (evaluation, prediction). */
    public static final int INFERENCE_BATCH = 500;

    /*
     * Keras' Dropout(rate) is the probability of DROPPING a unit; DL4J's dropOut(p) is the probability of RETAINING
     * it, and applies to the layer's input. So Keras' Dropout(0.4) before Dense 128 is dropOut(0.6) on that layer.
     */
    static final double RETAIN_BEFORE_DENSE_128 = 1 - 0.4;
    static final double RETAIN_BEFORE_DENSE_64 = 1 - 0.2;
    static final double L1_DENSE_64 = 5e-4;

    private ReferenceCnn() {}

    /** The reference model with Adam at a constant learning rate, as in the Keras notebook. */
    public static MultiLayerConfiguration configuration(double learningRate, long seed) {
        return configuration(learningRate, 1.0, seed);
    }

    /**
     * The reference model with Adam's learning rate multiplied by {@code decayPerEpoch} after every epoch
     * ({@code 1.0}: constant).
     */
    public static MultiLayerConfiguration configuration(double learningRate, double decayPerEpoch, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, decayPerEpoch)))
                .weightInit(WeightInit.XAVIER_UNIFORM) // Keras' glorot_uniform; biases start at 0 in both
                // Keeps each convolution's pre-activations from the forward pass for backpropagation. Without a cache
                // DL4J runs every convolution forward a second time inside backpropagation (12% of op time).
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(convolution(20, 5))
                .layer(convolution(20, 2))
                .layer(maxPool())
                .layer(convolution(50, 2))
                .layer(maxPool())
                .layer(new DenseLayer.Builder()
                        .nOut(128)
                        .activation(Activation.RELU)
                        .dropOut(RETAIN_BEFORE_DENSE_128)
                        .build())
                .layer(new DenseLayer.Builder()
                        .nOut(64)
                        .activation(Activation.RELU)
                        .dropOut(RETAIN_BEFORE_DENSE_64)
                        .l1(L1_DENSE_64)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(CLASSES)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(HEIGHT, WIDTH, CHANNELS))
                .build();
    }

    private static ConvolutionLayer convolution(int filters, int kernel) {
        return new ConvolutionLayer.Builder(kernel, kernel)
                .stride(1, 1)
                .nOut(filters)
                .activation(Activation.RELU)
                .build();
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(2, 2)
                .stride(2, 2)
                .build();
    }
}
