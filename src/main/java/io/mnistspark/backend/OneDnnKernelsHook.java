package io.mnistspark.backend;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives each worker's network {@link OneDnnKernels} before it fits its first minibatch. dl4j-spark builds the
 * worker networks itself, on the executors, in every averaging round; a training hook is the one place that sees them
 * before they train, and they are thrown away after the round, so the kernels never reach a saved model.
 */
final class OneDnnKernelsHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork network) {
            OneDnnKernels.install(network);
        }
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {}

    // The reference CNN never trains on MultiDataSets.
    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {}

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {}
}
