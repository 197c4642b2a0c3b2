package io.mnistspark.training;

import io.mnistspark.backend.OneDnnKernels;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Gives each worker's network {@link OneDnnKernels} before it fits its first minibatch. dl4j-spark builds the
 * worker networks itself, on the executors, in every averaging round; a training hook is the one place that sees them
 * before they train.
 */
final class OneDnnKernelsHook extends MinibatchHook {

    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork network) {
            OneDnnKernels.install(network);
        }
    }
}
