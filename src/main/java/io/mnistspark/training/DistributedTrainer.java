package io.mnistspark.training;

import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.config.OuterOptimizerKind;
import io.mnistspark.data.BroadcastMinibatches;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains a network across the Spark executors by synchronous parameter averaging (dl4j-spark), one averaging round at a
 * time: each round is one dl4j-spark fit in which every worker fits {@code averagingFrequency} minibatches from the
 * broadcast parameters and the driver averages parameters and updater state; then the driver applies the outer update
 * ({@link OuterOptimizer}) to the averaged parameters, and the next round starts from them.
 */
public final class DistributedTrainer {

    /**
     * @param epochs             passes over the training minibatches
     * @param plan               workers, their minibatch size (which the loader makes, so no DataSet is split or
     *                           merged) and minibatches per worker in a round
     * @param prefetchBatches    minibatches a worker loads ahead
     * @param outerOptimizer     the update applied to the averaged parameters after each round
     * @param outerLearningRate  its learning rate
     * @param outerMomentum      its momentum
     * @param seed               seed of the minibatch shuffle of every epoch
     */
    public record Settings(int epochs, RoundPlan plan, int prefetchBatches,
            OuterOptimizerKind outerOptimizer, double outerLearningRate, double outerMomentum, long seed) {
    }

    /** The trained network, one record per epoch and one per round. */
    public record Result(MultiLayerNetwork network, List<EpochRecord> history, List<RoundRecord> rounds,
            double trainSeconds) {
    }

    private final Settings settings;

    public DistributedTrainer(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param minibatches  the training images on the executors, cut into the plan's minibatches
     * @param monitor      data the per-epoch accuracy is measured on
     * @param monitorName  what {@code monitor} is, e.g. "test"
     * @param progress     receives each epoch's record as soon as it is known
     */
    public Result train(JavaSparkContext sc, MultiLayerConfiguration configuration, BroadcastMinibatches minibatches,
            JavaRDD<DataSet> monitor, String monitorName, Consumer<EpochRecord> progress) {
        FitTimes fitTimes = new FitTimes(sc);
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(sc, configuration, trainingMaster(fitTimes));
        OuterOptimizer outer = new OuterOptimizer(settings.outerOptimizer(), settings.outerLearningRate(),
                settings.outerMomentum());
        List<EpochRecord> history = new ArrayList<>();
        List<RoundRecord> rounds = new ArrayList<>();
        double trainSeconds = 0;
        try {
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                List<List<String>> epochRounds = settings.plan().rounds(
                        minibatches.references(shuffleSeed(settings.seed(), epoch)));
                double epochSeconds = 0;
                long imagesBefore = 0;
                for (int round = 1; round <= epochRounds.size(); round++) {
                    List<String> references = epochRounds.get(round - 1);
                    long images = Math.min(minibatches.images(),
                            imagesBefore + (long) references.size() * settings.plan().batchSizePerWorker()) - imagesBefore;
                    imagesBefore += images;
                    sc.setJobDescription(String.format("epoch %d/%d, round %d/%d", epoch, settings.epochs(), round,
                            epochRounds.size()));
                    RoundRecord record = fitRound(sc, sparkNetwork, outer, fitTimes, minibatches, references,
                            new RoundRecord(epoch, round, settings.plan().workers(), references.size(), images, 0, 0,
                                    0, 0));
                    rounds.add(record);
                    epochSeconds += record.seconds();
                }
                trainSeconds += epochSeconds;
                sc.setJobDescription(String.format("epoch %d/%d, %s accuracy", epoch, settings.epochs(),
                        monitorName));
                Evaluation evaluation = sparkNetwork.evaluate(monitor);
                EpochRecord record = new EpochRecord(epoch, sparkNetwork.getScore(), evaluation.accuracy(),
                        monitorName, epochSeconds, minibatches.images() / epochSeconds);
                history.add(record);
                progress.accept(record);
            }
        } finally {
            sc.setJobDescription(null);
        }
        MultiLayerNetwork network = sparkNetwork.getNetwork();
        network.getLayerWiseConfigurations().setEpochCount(settings.epochs());
        return new Result(network, List.copyOf(history), List.copyOf(rounds), trainSeconds);
    }

    /** One averaging round over {@code references}, then the outer update; returns {@code round} with its timings. */
    private RoundRecord fitRound(JavaSparkContext sc, SparkDl4jMultiLayer sparkNetwork, OuterOptimizer outer,
            FitTimes fitTimes, BroadcastMinibatches minibatches, List<String> references, RoundRecord round) {
        MultiLayerNetwork network = sparkNetwork.getNetwork();
        // fitPaths counts every call as an epoch; the learning-rate schedule is per epoch, so say which one it is.
        network.getLayerWiseConfigurations().setEpochCount(round.epoch() - 1);
        Set<Integer> persistedBefore = new HashSet<>(sc.getPersistentRDDs().keySet());
        fitTimes.reset();
        long started = System.nanoTime();
        INDArray start = outer.needsStart() ? network.params().dup() : null;
        sparkNetwork.fitPaths(sc.parallelize(references, settings.plan().workers()), minibatches.loader());
        if (start != null) {
            network.setParams(outer.apply(start, network.params()));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        unpersistLeftovers(sc, persistedBefore);
        double fitSeconds = Math.min(seconds, fitTimes.slowestWorkerSeconds());
        return new RoundRecord(round.epoch(), round.round(), round.workers(), round.minibatches(), round.images(),
                seconds, fitSeconds, seconds - fitSeconds, sparkNetwork.getScore());
    }

    /**
     * dl4j-spark M2 persists every round's worker results (parameters and updater state of each worker, MEMORY_AND_DISK)
     * and never unpersists them; they stay in the block manager until the driver's garbage collector lets Spark's
     * cleaner free them. Symptom: executor storage memory grows by ~2 MB per worker per round. Freed here at once.
     */
    private static void unpersistLeftovers(JavaSparkContext sc, Set<Integer> persistedBefore) {
        sc.getPersistentRDDs().forEach((id, rdd) -> {
            if (!persistedBefore.contains(id)) {
                rdd.unpersist(false);
            }
        });
    }

    /** The seed of epoch {@code epoch}'s minibatch shuffle: another epoch, other minibatches. */
    static long shuffleSeed(long seed, int epoch) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch).nextLong();
    }

    private ParameterAveragingTrainingMaster trainingMaster(FitTimes fitTimes) {
        RoundPlan plan = settings.plan();
        // Builder(n): n is the number of examples in each loaded DataSet, not the worker minibatch size.
        ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(
                plan.workers(), plan.batchSizePerWorker())
                .batchSizePerWorker(plan.batchSizePerWorker())
                // One round per fit: the round's references number workers x averagingFrequency, which is one split.
                .averagingFrequency(plan.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetchBatches())
                // Each round comes in one partition per worker, which dl4j-spark then keeps. Its default (Always,
                // Balanced) counted every round's partitions in a Spark job and shuffled them into new ones: about
                // 0.1 s a round (epoch 3 at batch 200, averaging every 10: 3,695 -> 4,082 images/s without it).
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                // The round's references are a small list on the driver: nothing to gain from caching them.
                .storageLevelStreams(null)
                // dl4j-spark M2 bug: the Javadoc says the updater state is averaged "by default", but the Builder
                // leaves saveUpdater false. Symptom: every averaging round restarts Adam from zero moments on every
                // worker, the saved model has an empty updater, and accuracy drifts down from epoch to epoch (96.8%
                // -> 96.0% over epochs 1-5 at batch 32, averaging every 10).
                .saveUpdater(true)
                .rngSeed(settings.seed());
        List<TrainingHook> hooks = new ArrayList<>();
        // Decided here, on the driver, so executors follow the driver's switch without settings of their own.
        if (OneDnnKernels.enabled()) {
            hooks.add(new OneDnnKernelsHook());
        }
        hooks.add(fitTimes.hook());
        return builder.trainingHooks(hooks).build();
    }
}
