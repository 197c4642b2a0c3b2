package io.mnistspark.training;

import io.mnistspark.backend.OneDnnKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains a network across the Spark executors by synchronous parameter averaging (dl4j-spark): each worker fits
 * {@code averagingFrequency} minibatches from the broadcast parameters, then the driver averages parameters and updater
 * state, and broadcasts them again.
 */
public final class DistributedTrainer {

    /**
     * @param epochs             passes over the training minibatches
     * @param batchSizePerWorker examples in each minibatch the loader makes, which is also the minibatch a worker
     *                           fits (so no DataSet is split or merged)
     * @param averagingFrequency minibatches per worker between two averagings
     * @param prefetchBatches    minibatches a worker loads ahead
     * @param workers            parallel workers; 0 = Spark's default parallelism
     * @param seed               seed of the random splits of the training data
     */
    public record Settings(int epochs, int batchSizePerWorker, int averagingFrequency, int prefetchBatches,
            int workers, long seed) {
    }

    /** The trained network and one record per epoch. */
    public record Result(MultiLayerNetwork network, List<EpochRecord> history, double trainSeconds) {
    }

    private final Settings settings;

    public DistributedTrainer(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param minibatches     one reference per minibatch of {@code batchSizePerWorker} examples, which {@code loader}
     *                        turns into a {@code DataSet} on the executor that fits it; in one partition per worker,
     *                        which dl4j-spark then keeps (it repartitions only when the counts differ)
     * @param trainingCount   examples in all minibatches, for images/s
     * @param monitor         data the per-epoch accuracy is measured on
     * @param monitorName     what {@code monitor} is, e.g. "test"
     * @param progress        receives each epoch's record as soon as it is known
     */
    public Result train(JavaSparkContext sc, MultiLayerConfiguration configuration, JavaRDD<String> minibatches,
            DataSetLoader loader, long trainingCount, JavaRDD<DataSet> monitor, String monitorName,
            Consumer<EpochRecord> progress) {
        ParameterAveragingTrainingMaster master = trainingMaster();
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, configuration, master);
        List<EpochRecord> history = new ArrayList<>();
        double trainSeconds = 0;
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            long start = System.nanoTime();
            sparkNetwork.fitPaths(minibatches, loader);
            double seconds = (System.nanoTime() - start) / 1e9;
            trainSeconds += seconds;
            Evaluation evaluation = sparkNetwork.evaluate(monitor);
            EpochRecord record = new EpochRecord(epoch, sparkNetwork.getScore(), evaluation.accuracy(),
                    monitorName, seconds, trainingCount / seconds);
            history.add(record);
            progress.accept(record);
        }
        return new Result(sparkNetwork.getNetwork(), List.copyOf(history), trainSeconds);
    }

    private ParameterAveragingTrainingMaster trainingMaster() {
        Integer workers = settings.workers() > 0 ? settings.workers() : null;
        // Builder(n): n is the number of examples in each loaded DataSet, not the worker minibatch size.
        ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(workers,
                settings.batchSizePerWorker())
                .batchSizePerWorker(settings.batchSizePerWorker())
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetchBatches())
                // The minibatches come in one partition per worker and dl4j-spark's split of each averaging round
                // keeps them balanced. Its default (Always, Balanced) counted every round's partitions in a Spark job
                // and shuffled them into new ones: about 0.1 s a round (epoch 3 at batch 200, averaging every 10:
                // 3,695 -> 4,082 images/s without it).
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                // dl4j-spark M2 bug: the Javadoc says the updater state is averaged "by default", but the Builder
                // leaves saveUpdater false. Symptom: every averaging round restarts Adam from zero moments on every
                // worker, the saved model has an empty updater, and accuracy drifts down from epoch to epoch (96.8%
                // -> 96.0% over epochs 1-5 at batch 32, averaging every 10).
                .saveUpdater(true)
                .rngSeed(settings.seed());
        // Decided here, on the driver, so executors follow the driver's switch without settings of their own.
        if (OneDnnKernels.enabled()) {
            builder.trainingHooks(new OneDnnKernelsHook());
        }
        return builder.build();
    }
}
