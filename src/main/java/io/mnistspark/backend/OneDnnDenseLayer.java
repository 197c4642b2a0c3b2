package io.mnistspark.backend;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's dense layer with its three matrix products on {@link OneDnnGemm}, for a ReLU layer, sharing the parameters
 * and gradient views of the layer it replaces.
 *
 * <p>Why: besides running libnd4j's slower {@code matmul}, DL4J M2's dense layer computes its forward product twice a
 * step: its backpropagation runs the forward pass again for the pre-activations the activation's gradient reads. A
 * ReLU's gradient reads the same from the activations (both are positive in the same places), so this layer keeps
 * the activations of the training forward pass instead, as {@link OneDnnConvolutionLayer} does.
 *
 * <p>Whatever it does not cover (another activation, weight noise, layer normalisation, a mask, no bias, not float)
 * goes to DL4J's own code. Installed by {@link OneDnnKernels} only, on networks thrown away after use.
 */
final class OneDnnDenseLayer extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {

    private static final long serialVersionUID = 1L;

    private transient INDArray keptActivations; // of the last training forward pass this layer computed itself

    /** Takes the place of {@code original}: its configuration, parameters, gradient views, position and listeners. */
    OneDnnDenseLayer(org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer original, DataType dataType) {
        super(original.conf(), dataType);
        ReplacedLayers.takeOver(this, original);
    }

    /** Whether the layer's configuration is one this class computes: a ReLU with a bias and nothing else. */
    static boolean replaces(DenseLayer configuration) {
        return OneDnnRelu.replaces(configuration.getActivationFn())
                && configuration.hasBias()
                && !configuration.hasLayerNorm()
                && configuration.getWeightNoise() == null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        keptActivations = null;
        assertInputSet(false);
        // Once applied, dropout is not applied again by DL4J's code, should that run instead.
        applyDropOutIfNecessary(training, workspaces);
        INDArray weights = getParam(DefaultParamInitializer.WEIGHT_KEY);
        if (!covers(input, weights)) {
            return super.activate(training, workspaces);
        }
        INDArray activations = workspaces.createUninitialized(
                ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {input.rows(), weights.columns()}, 'c');
        OneDnnGemm.multiply(input, weights, activations);
        activations.addiRowVector(getParam(DefaultParamInitializer.BIAS_KEY));
        layerConf().getActivationFn().getActivation(activations, training);
        keptActivations = training ? activations : null;
        return activations;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        if (keptActivations == null) {
            return super.backpropGradient(epsilon, workspaces);
        }
        assertInputSet(true);
        // The ReLU's gradient overwrites the array it reads, and the kept activations are the next layer's input, which
        // the output layer reads again for the score after backpropagation: a copy (n x 128 floats at most) is read.
        INDArray activations = workspaces.dup(ArrayType.BP_WORKING_MEM, keptActivations);
        INDArray delta =
                layerConf().getActivationFn().backprop(activations, epsilon).getFirst();
        keptActivations = null;

        // In DL4J's order: the bias, then the weights.
        Gradient gradient = new DefaultGradient();
        INDArray biasGradient = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        delta.sum(biasGradient, 0);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGradient);
        INDArray weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        OneDnnGemm.multiply(input.transpose(), delta, weightGradient);
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);

        INDArray weights = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray inputGradient = workspaces.createUninitialized(
                ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {delta.rows(), weights.rows()}, 'c');
        OneDnnGemm.multiply(delta, weights.transpose(), inputGradient);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGradient));
    }

    @Override
    public void clear() {
        super.clear();
        keptActivations = null;
    }

    private boolean covers(INDArray layerInput, INDArray weights) {
        return maskArray == null
                && layerInput.dataType() == DataType.FLOAT
                && OneDnnGemm.covers(layerInput)
                && layerInput.columns() == weights.rows()
                && OneDnnGemm.covers(weights);
    }
}
