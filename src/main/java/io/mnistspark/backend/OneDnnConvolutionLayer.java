package io.mnistspark.backend;

import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's convolution layer on a {@link OneDnnConvolution}, sharing the parameters and gradients of the layer it
 * replaces. Where the helper applies the layer's ReLU as it writes the output, the forward pass hands that output on
 * as it is and keeps it for backpropagation.
 *
 * <p>Why: DL4J M2's layer copies every convolution's pre-activations for backpropagation (cache mode) and then runs
 * the ReLU over them in a pass of its own: two more passes over the largest arrays of the step (2.3 million floats
 * after the first convolution at batch 200). Backpropagation only needs where the activations are positive, which the
 * activations themselves say; DL4J's backpropagation reads the kept array where it would read the copy, and nothing
 * else of it changes. Backpropagation runs from the last layer to the first, so the array, also the next layer's
 * input, is no longer read when this layer's ReLU gradient overwrites it.
 *
 * <p>Installed by {@link OneDnnKernels} only, on networks that are thrown away after training, timing or predicting.
 */
final class OneDnnConvolutionLayer extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** Takes the place of {@code original}: its configuration, parameters, gradient views, position and listeners. */
    OneDnnConvolutionLayer(ConvolutionLayer original, DataType dataType, OneDnnConvolution convolution) {
        super(original.conf(), dataType);
        ReplacedLayers.takeOver(this, original);
        helper = convolution;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        if (!(helper instanceof OneDnnConvolution convolution && convolution.appliesRelu())
                || layerConf().getIDropout() != null) {
            return super.activate(training, workspaces);
        }
        assertInputSet(false);
        INDArray activations = preOutput(training, false, workspaces).getFirst();
        if (!convolution.wrote(activations)) {
            // DL4J's own code ran instead (an input the helper declines): pre-activations, as DL4J's layer has them.
            return super.activate(training, workspaces);
        }
        // What DL4J's backpropagation reads in place of a copy of the pre-activations (ConvolutionLayer#preOutput)
        preOutput = training ? activations : null;
        return activations;
    }
}
