package io.mnistspark.training;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Frees each minibatch's arrays once the worker has fitted it ({@link NativeMemory}): the loader makes every minibatch
 * afresh, and dl4j-spark's worker reads nothing of it after the hooks' {@code postUpdate}. Must be the last hook.
 */
final class FreeMinibatches extends MinibatchHook {

    private static final long serialVersionUID = 1L;

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        NativeMemory.free(
                minibatch.getFeatures(),
                minibatch.getLabels(),
                minibatch.getFeaturesMaskArray(),
                minibatch.getLabelsMaskArray());
    }
}
