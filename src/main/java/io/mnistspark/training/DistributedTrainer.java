package io.mnistspark.training;

import io.mnistspark.backend.FloatArrays;
import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.config.OuterOptimizerKind;
import io.mnistspark.data.BroadcastMinibatches;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.ExecuteWorkerPathFlatMap;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a network across the Spark executors by synchronous parameter averaging, one averaging round at a time. In a
 * round the driver broadcasts the parameters and Adam's state, every worker runs dl4j-spark's parameter-averaging
 * worker on its {@code averagingFrequency} minibatches, and the driver averages what the workers return, then applies
 * the outer update ({@link OuterOptimizer}); the next round starts from the result.
 *
 * <p>Why the driver averages, not dl4j-spark's {@code ParameterAveragingTrainingMaster}: the master sums the workers'
 * results with {@code treeAggregate}, in the order their tasks finish, and floating-point addition is not
 * associative, so two runs of the same seed differed in the last bits after the first round and in every prediction
 * after two epochs. Here the results are collected and summed in partition order. The master also counted every
 * round's references in a Spark job of its own and left every round's results persisted (MEMORY_AND_DISK, ~2 MB a
 * worker a round, until the driver's garbage collector let Spark free them).
 */
public final class DistributedTrainer {

    /**
     * How a run trains: its epochs, the round plan, the outer update and the seed.
     *
     * @param epochs                passes over the training minibatches
     * @param plan                  workers, their minibatch size (which the loader makes, so no DataSet is split or
     *                              merged) and minibatches per worker in a round
     * @param prefetchBatches       minibatches a worker loads ahead
     * @param outerOptimizer        the update applied to the averaged parameters after each round
     * @param outerLearningRate     its learning rate
     * @param outerMomentum         its momentum
     * @param seed                  seed of every epoch's minibatch shuffle and of the dropout masks
     * @param checkpointEveryRounds rounds between two checkpoints within an epoch; 0 = at the end of epochs only
     */
    public record Settings(
            int epochs,
            RoundPlan plan,
            int prefetchBatches,
            OuterOptimizerKind outerOptimizer,
            double outerLearningRate,
            double outerMomentum,
            long seed,
            int checkpointEveryRounds) {}

    /**
     * What the accuracy after each epoch is measured on.
     *
     * @param name     what the images are, e.g. "test"
     * @param accuracy the share of them a network classifies right
     */
    public record Monitor(String name, ToDoubleFunction<MultiLayerNetwork> accuracy) {}

    /** The trained network, one record per epoch and one per round. */
    public record Result(
            MultiLayerNetwork network, List<EpochRecord> history, List<RoundRecord> rounds, double trainSeconds) {}

    /** The name of every averaging round's stage in the Spark UI and the event log. */
    public static final String ROUND_STAGE_NAME = "mnist-spark averaging round";

    private final Settings settings;

    public DistributedTrainer(Settings settings) {
        this.settings = settings;
    }

    /**
     * Trains {@code network} on {@code minibatches}, epoch by epoch, from epoch 1 or from where {@code resumeFrom}
     * ended.
     *
     * @param network      the initialised network to train, or the one of {@code resumeFrom}
     * @param resumeFrom   the state of an interrupted run to go on from; null to start at epoch 1
     * @param minibatches  the training images on the executors, cut into the plan's minibatches
     * @param monitor      measures the accuracy after each epoch
     * @param progress     receives each epoch's record as soon as it is known
     * @param checkpointer receives the training state at the end of every epoch (and every
     *                     {@code checkpointEveryRounds} rounds)
     */
    public Result train(
            JavaSparkContext sc,
            MultiLayerNetwork network,
            TrainingState resumeFrom,
            BroadcastMinibatches minibatches,
            Monitor monitor,
            Consumer<EpochRecord> progress,
            TrainingState.Checkpointer checkpointer) {
        FitTimes fitTimes = new FitTimes(sc);
        List<TrainingHook> hooks = hooks(fitTimes);
        OuterOptimizer outer = new OuterOptimizer(
                settings.outerOptimizer(),
                settings.outerLearningRate(),
                settings.outerMomentum(),
                resumeFrom == null ? null : resumeFrom.outerVelocity());
        List<EpochRecord> history = new ArrayList<>(resumeFrom == null ? List.of() : resumeFrom.history());
        List<RoundRecord> rounds = new ArrayList<>(resumeFrom == null ? List.of() : resumeFrom.rounds());
        int firstEpoch =
                resumeFrom == null ? 1 : resumeFrom.epochComplete() ? resumeFrom.epoch() + 1 : resumeFrom.epoch();
        try {
            for (int epoch = firstEpoch; epoch <= settings.epochs(); epoch++) {
                List<List<String>> epochRounds =
                        settings.plan().rounds(minibatches.references(shuffleSeed(settings.seed(), epoch)));
                int firstRound = resumeFrom != null && !resumeFrom.epochComplete() && epoch == resumeFrom.epoch()
                        ? resumeFrom.round() + 1
                        : 1;
                for (int round = firstRound; round <= epochRounds.size(); round++) {
                    sc.setJobDescription(String.format(
                            "epoch %d/%d, round %d/%d", epoch, settings.epochs(), round, epochRounds.size()));
                    rounds.add(fitRound(sc, network, outer, hooks, fitTimes, minibatches, epochRounds, epoch, round));
                    if (settings.checkpointEveryRounds() > 0
                            && round % settings.checkpointEveryRounds() == 0
                            && round < epochRounds.size()) {
                        checkpointer.save(
                                new TrainingState(epoch, round, false, network, outer.velocity(), history, rounds));
                    }
                }
                sc.setJobDescription(
                        String.format("epoch %d/%d, %s accuracy", epoch, settings.epochs(), monitor.name()));
                double accuracy = monitor.accuracy().applyAsDouble(network);
                history.add(epochRecord(epoch, rounds, accuracy, monitor.name(), minibatches.images()));
                progress.accept(history.get(history.size() - 1));
                checkpointer.save(
                        new TrainingState(epoch, epochRounds.size(), true, network, outer.velocity(), history, rounds));
            }
        } finally {
            sc.setJobDescription(null);
        }
        network.getLayerWiseConfigurations().setEpochCount(settings.epochs());
        double trainSeconds = rounds.stream().mapToDouble(RoundRecord::seconds).sum();
        return new Result(network, List.copyOf(history), List.copyOf(rounds), trainSeconds);
    }

    /** One averaging round, then the outer update; returns its record. */
    private RoundRecord fitRound(
            JavaSparkContext sc,
            MultiLayerNetwork network,
            OuterOptimizer outer,
            List<TrainingHook> hooks,
            FitTimes fitTimes,
            BroadcastMinibatches minibatches,
            List<List<String>> epochRounds,
            int epoch,
            int round) {
        List<String> references = epochRounds.get(round - 1);
        MultiLayerConfiguration configuration = network.getLayerWiseConfigurations();
        // The learning-rate schedule is per epoch: the workers' networks take the epoch from the configuration.
        configuration.setEpochCount(epoch - 1);
        fitTimes.reset();
        long started = System.nanoTime();
        INDArray start = outer.needsStart() ? network.params().dup() : null;
        boolean inProcess = sc.isLocal();
        NetBroadcastTuple tuple = RoundBroadcast.of(network);
        Broadcast<NetBroadcastTuple> broadcast =
                inProcess ? InProcessHandover.broadcast(tuple, NetBroadcastTuple.class) : sc.broadcast(tuple);
        List<WorkerResult> results;
        try {
            results = RoundJob.run(
                    sc,
                    references,
                    settings.plan().workers(),
                    new ExecuteWorkerPathFlatMap<>(
                            worker(broadcast, hooks), minibatches.loader(), BroadcastHadoopConfigHolder.get(sc)),
                    inProcess);
        } finally {
            broadcast.destroy();
        }
        // Only after a job that succeeded: a failed job's tasks may still be reading the arrays.
        NativeMemory.free(tuple.getParameters(), tuple.getUpdaterState());
        double loss = average(network, results);
        configuration.setIterationCount(
                configuration.getIterationCount() + settings.plan().averagingFrequency());
        if (start != null) {
            INDArray updated = outer.apply(start, network.params());
            network.setParams(updated);
            NativeMemory.free(start, updated);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double fitSeconds = Math.min(seconds, fitTimes.slowestWorkerSeconds());
        return new RoundRecord(
                epoch,
                round,
                settings.plan().workers(),
                references.size(),
                imagesOfRound(epochRounds, round, minibatches.images()),
                seconds,
                fitSeconds,
                seconds - fitSeconds,
                loss);
    }

    /** What one worker sends back a round, in bytes: its parameters and updater state (the bulk of the result). */
    public static long workerResultBytes(MultiLayerNetwork network) {
        INDArray parameters = network.params();
        INDArray updaterState = network.getUpdater().getStateViewArray();
        return (parameters.length() + (updaterState == null ? 0 : updaterState.length()))
                * parameters.dataType().width();
    }

    private ParameterAveragingTrainingWorker worker(Broadcast<NetBroadcastTuple> broadcast, List<TrainingHook> hooks) {
        RoundPlan plan = settings.plan();
        // Each loaded DataSet is one whole minibatch of the worker: nothing is split or merged on the worker.
        WorkerConfiguration configuration = new WorkerConfiguration(
                false,
                plan.batchSizePerWorker(),
                plan.batchSizePerWorker(),
                plan.averagingFrequency(),
                settings.prefetchBatches(),
                false);
        // saveUpdater: the workers return Adam's state too, and it is averaged with the parameters. (dl4j-spark M2's
        // master builder leaves it off although its Javadoc calls it the default: Adam then restarted from zero
        // moments in every round, and accuracy drifted down from epoch to epoch.)
        return new ParameterAveragingTrainingWorker(broadcast, true, configuration, hooks, null, null);
    }

    /**
     * Sets the network to the mean of the workers' parameters and updater states, summed in partition order; returns
     * the mean of their last minibatches' losses. Workers without minibatches (a short last round) return nothing.
     */
    private static double average(MultiLayerNetwork network, List<WorkerResult> results) {
        INDArray parameters = null;
        INDArray updaterState = null;
        double loss = 0;
        int count = 0;
        for (WorkerResult result : results) {
            if (result.parameters() == null) {
                continue;
            }
            parameters = addTo(parameters, result.parameters());
            if (result.updaterState() != null) {
                updaterState = addTo(updaterState, result.updaterState());
            }
            loss += result.loss();
            count++;
        }
        if (count == 0) {
            throw new IllegalStateException("no worker returned parameters in this round");
        }
        network.setParameters(parameters.divi(count).reshape(network.params().shape()));
        if (updaterState != null) {
            INDArray stateView = network.getUpdater().getStateViewArray();
            network.getUpdater()
                    .setStateViewArray(network, updaterState.divi(count).reshape(stateView.shape()), false);
        }
        // Both setters copied the means into the network's own arrays.
        NativeMemory.free(parameters, updaterState);
        return loss / count;
    }

    /** {@code sum + values}, in {@code sum}'s memory; a new array when {@code sum} is null. */
    private static INDArray addTo(INDArray sum, float[] values) {
        INDArray array = FloatArrays.of(values, values.length);
        if (sum == null) {
            return array;
        }
        sum.addi(array);
        NativeMemory.free(array);
        return sum;
    }

    private List<TrainingHook> hooks(FitTimes fitTimes) {
        List<TrainingHook> hooks = new ArrayList<>();
        // Decided here, on the driver, so executors follow the driver's switch without settings of their own.
        OneDnnKernels.trainingHook().ifPresent(hooks::add);
        hooks.add(new DropoutSeeds(settings.seed()));
        hooks.add(fitTimes.hook());
        hooks.add(new FreeMinibatches());
        return hooks;
    }

    /** Images in round {@code round} of an epoch: whole minibatches, the epoch's last one perhaps short. */
    private long imagesOfRound(List<List<String>> epochRounds, int round, int epochImages) {
        long before = 0;
        for (int r = 0; r < round - 1; r++) {
            before += epochRounds.get(r).size();
        }
        long batch = settings.plan().batchSizePerWorker();
        return Math.min(epochImages, (before + epochRounds.get(round - 1).size()) * batch)
                - Math.min(epochImages, before * batch);
    }

    /** The epoch's record, its seconds those of its rounds (of every attempt, when it was resumed). */
    private static EpochRecord epochRecord(
            int epoch, List<RoundRecord> rounds, double accuracy, String monitorName, int images) {
        double seconds = rounds.stream()
                .filter(r -> r.epoch() == epoch)
                .mapToDouble(RoundRecord::seconds)
                .sum();
        double loss = rounds.get(rounds.size() - 1).loss();
        return new EpochRecord(epoch, loss, accuracy, monitorName, seconds, images / seconds);
    }

    /** The seed of epoch {@code epoch}'s minibatch shuffle: another epoch, other minibatches. */
    static long shuffleSeed(long seed, int epoch) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch).nextLong();
    }
}
