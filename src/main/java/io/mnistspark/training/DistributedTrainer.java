package io.mnistspark.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a network across the Spark executors by synchronous parameter averaging (dl4j-spark): each worker fits
 * {@code averagingFrequency} minibatches from the broadcast parameters, then the driver averages parameters and updater
 * state, and broadcasts them again.
 */
public final class DistributedTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);

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
     * @param training        minibatches of {@code batchSizePerWorker} examples
     * @param trainingCount   examples in {@code training}, for images/s
     * @param monitor         data the per-epoch accuracy is measured on
     * @param monitorName     what {@code monitor} is, e.g. "test"
     * @param progress        receives each epoch's record as soon as it is known
     */
    public Result train(JavaSparkContext sc, MultiLayerConfiguration configuration, JavaRDD<DataSet> training,
            long trainingCount, JavaRDD<DataSet> monitor, String monitorName, Consumer<EpochRecord> progress) {
        Path exportDir = exportDirectory(sc);
        ParameterAveragingTrainingMaster master = trainingMaster(exportDir);
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
            deleteQuietly(exportDir, sc);
        }
        return new Result(sparkNetwork.getNetwork(), List.copyOf(history), trainSeconds);
    }

    /**
     * A folder of this job's own for the exported training minibatches, on the cluster's default file system (every
     * executor must read every file): {@code ${hadoop.tmp.dir}/mnist-spark-export/<application>-<random>}.
     */
    private static Path exportDirectory(JavaSparkContext sc) {
        Configuration conf = sc.hadoopConfiguration();
        Path dir = new Path(new Path(conf.get("hadoop.tmp.dir", "/tmp"), "mnist-spark-export"),
                sc.sc().applicationId() + "-" + UUID.randomUUID());
        try {
            // Fully qualified, so that executors with other working directories find the same folder
            return dir.getFileSystem(conf).makeQualified(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the training export folder " + dir, e);
        }
    }

    private static void deleteQuietly(Path dir, JavaSparkContext sc) {
        try {
            dir.getFileSystem(sc.hadoopConfiguration()).delete(dir, true);
        } catch (IOException e) {
            LOG.warn("Could not delete the exported training data in {}: {}", dir, e.getMessage());
        }
    }

    private ParameterAveragingTrainingMaster trainingMaster(Path exportDir) {
        Integer workers = settings.workers() > 0 ? settings.workers() : null;
        // Builder(n): n is the number of examples in each DataSet of the RDD, not the worker minibatch size.
        return new ParameterAveragingTrainingMaster.Builder(workers, settings.batchSizePerWorker())
                .batchSizePerWorker(settings.batchSizePerWorker())
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetchBatches())
                // dl4j-spark M2 bug: the Javadoc says the updater state is averaged "by default", but the Builder
                // leaves saveUpdater false. Symptom: every averaging round restarts Adam from zero moments on every
                // worker, the saved model has an empty updater, and accuracy drifts down from epoch to epoch (96.8%
                // -> 96.0% over epochs 1-5 at batch 32, averaging every 10).
                .saveUpdater(true)
                // Export writes the minibatches to files once, then every averaging round splits the list of paths
                // and each worker loads only its own files. Direct instead re-scans the whole cached RDD for every
                // round (60 rounds an epoch here): measured 378 images/s against Export's several thousand.
                // Export never deletes what it wrote (about 200 MB per MNIST run) unless asked: see finally above.
                .rddTrainingApproach(RDDTrainingApproach.Export)
                .exportDirectory(exportDir.toString())
                .rngSeed(settings.seed())
                .build();
    }
}
