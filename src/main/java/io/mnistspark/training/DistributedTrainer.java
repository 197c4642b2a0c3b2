package io.mnistspark.training;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
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
     * @param epochs             passes over the training RDD
     * @param batchSizePerWorker examples in each {@code DataSet} of the training RDD, which is also the minibatch a
     *                           worker fits (the RDD is built that way so no DataSet is split or merged)
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
     * @param training        minibatches of {@code batchSizePerWorker} examples; must not be persisted already (the
     *                        Direct approach persists it itself, and Spark refuses a second storage level)
     * @param trainingCount   examples in {@code training}, for images/s
     * @param monitor         data the per-epoch accuracy is measured on
     * @param monitorName     what {@code monitor} is, e.g. "test"
     * @param progress        receives each epoch's record as soon as it is known
     */
    public Result train(JavaSparkContext sc, MultiLayerConfiguration configuration, JavaRDD<DataSet> training,
            long trainingCount, JavaRDD<DataSet> monitor, String monitorName, Consumer<EpochRecord> progress) {
        ParameterAveragingTrainingMaster master = trainingMaster();
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, configuration, master);
        List<EpochRecord> history = new ArrayList<>();
        double trainSeconds = 0;
        try {
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                long start = System.nanoTime();
                sparkNetwork.fit(training);
                double seconds = (System.nanoTime() - start) / 1e9;
                trainSeconds += seconds;
                Evaluation evaluation = sparkNetwork.evaluate(monitor);
                EpochRecord record = new EpochRecord(epoch, sparkNetwork.getScore(), evaluation.accuracy(),
                        monitorName, seconds, trainingCount / seconds);
                history.add(record);
                progress.accept(record);
            }
        } finally {
            master.deleteTempFiles(sc);
        }
        return new Result(sparkNetwork.getNetwork(), List.copyOf(history), trainSeconds);
    }

    private ParameterAveragingTrainingMaster trainingMaster() {
        Integer workers = settings.workers() > 0 ? settings.workers() : null;
        // Builder(n): n is the number of examples in each DataSet of the RDD, not the worker minibatch size.
        return new ParameterAveragingTrainingMaster.Builder(workers, settings.batchSizePerWorker())
                .batchSizePerWorker(settings.batchSizePerWorker())
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetchBatches())
                // Direct trains from the RDD in memory. The default, Export, serialises the RDD under the Hadoop temp
                // folder on every fit() and never deletes it (about 200 MB per run of MNIST).
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(settings.seed())
                .build();
    }
}
