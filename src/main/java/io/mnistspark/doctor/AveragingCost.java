package io.mnistspark.doctor;

import io.mnistspark.training.RoundBroadcast;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures what an averaging round costs besides the fitting: broadcasting the network's parameters and Adam's state
 * (the same {@link RoundBroadcast} the trainer sends), one task per worker that builds the network from it, as a
 * worker does, and returns its arrays, and the driver summing them, as {@code training.DistributedTrainer} does.
 */
final class AveragingCost {

    private static final int REPETITIONS = 3;

    private AveragingCost() {}

    /** The median seconds of such a round with {@code workers} tasks. */
    static double secondsPerRound(JavaSparkContext sc, MultiLayerNetwork network, int workers) {
        round(sc, network, workers); // a first round also loads classes and warms the JIT on both sides
        double[] seconds = new double[REPETITIONS];
        for (int r = 0; r < REPETITIONS; r++) {
            long start = System.nanoTime();
            round(sc, network, workers);
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[REPETITIONS / 2];
    }

    /** One round: broadcast, a task per worker, collect, sum. */
    private static void round(JavaSparkContext sc, MultiLayerNetwork network, int workers) {
        Broadcast<NetBroadcastTuple> broadcast = sc.broadcast(RoundBroadcast.of(network));
        try {
            List<Returned> results = sc.parallelize(
                            IntStream.range(0, workers).boxed().toList(), workers)
                    .map(new Echo(broadcast))
                    .collect();
            INDArray sum = null;
            for (Returned result : results) {
                sum = sum == null ? result.parameters().dup() : sum.addi(result.parameters());
            }
            sum.divi(results.size());
        } finally {
            broadcast.destroy();
        }
    }

    /** What a worker returns: parameters and updater state of the network's sizes. */
    record Returned(INDArray parameters, INDArray updaterState) implements Serializable {}

    /** Reads the broadcast network and returns copies of its arrays, as a worker returns its trained ones. */
    private record Echo(Broadcast<NetBroadcastTuple> broadcast)
            implements org.apache.spark.api.java.function.Function<Integer, Returned> {
        @Override
        public Returned call(Integer worker) {
            // As dl4j-spark's worker starts a round: a network from the broadcast configuration and arrays
            NetBroadcastTuple tuple = broadcast.value();
            MultiLayerNetwork network =
                    new MultiLayerNetwork(tuple.getConfiguration().clone());
            network.init(tuple.getParameters().dup(), false);
            network.getUpdater()
                    .setStateViewArray(network, tuple.getUpdaterState().dup(), false);
            return new Returned(
                    network.params().dup(),
                    network.getUpdater().getStateViewArray().dup());
        }
    }
}
