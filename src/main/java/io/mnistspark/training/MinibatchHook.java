package io.mnistspark.training;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A dl4j-spark training hook that acts around a worker's fit of one {@code DataSet} minibatch; the network here never
 * trains on {@code MultiDataSet}s, so those callbacks do nothing.
 */
abstract class MinibatchHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {}

    @Override
    public void postUpdate(DataSet minibatch, Model model) {}

    @Override
    public final void preUpdate(MultiDataSet minibatch, Model model) {}

    @Override
    public final void postUpdate(MultiDataSet minibatch, Model model) {}
}
