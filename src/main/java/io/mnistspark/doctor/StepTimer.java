package io.mnistspark.doctor;

import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.model.ReferenceCnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Times training steps of the reference CNN in this JVM, as a worker runs them (with mnist-spark's kernels if on). */
final class StepTimer {

    private static final int WARM_UP_STEPS = 2;
    private static final int TIMED_STEPS = 3;

    private StepTimer() {}

    /**
     * The seconds of one training step when {@code workers} workers train at once in this JVM, as the workers of one
     * executor do: each times its own network, and the slowest one's median counts (a round waits for it).
     */
    static double secondsPerStep(int workers, int batch, boolean kernels, long seed) {
        if (workers <= 1) {
            return secondsPerStep(batch, kernels, seed);
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Double>> timings = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                long workerSeed = seed + w;
                timings.add(pool.submit(() -> secondsPerStep(batch, kernels, workerSeed)));
            }
            double slowest = 0;
            for (Future<Double> timing : timings) {
                slowest = Math.max(slowest, timing.get());
            }
            return slowest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing training steps", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error; // javacpp's OutOfMemoryError names the limit
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The median seconds of one training step on a minibatch of {@code batch} random images. */
    static double secondsPerStep(int batch, boolean kernels, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(ReferenceCnn.configuration(0.002, seed));
        network.init();
        if (kernels) {
            network = OneDnnKernels.copyForTiming(network);
        }
        Nd4j.getRandom().setSeed(seed);
        INDArray features =
                Nd4j.rand(DataType.FLOAT, batch, ReferenceCnn.CHANNELS, ReferenceCnn.HEIGHT, ReferenceCnn.WIDTH);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, ReferenceCnn.CLASSES);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, i % ReferenceCnn.CLASSES, 1f);
        }
        DataSet minibatch = new DataSet(features, labels);
        for (int i = 0; i < WARM_UP_STEPS; i++) {
            network.fit(minibatch);
        }
        double[] seconds = new double[TIMED_STEPS];
        for (int i = 0; i < TIMED_STEPS; i++) {
            long start = System.nanoTime();
            network.fit(minibatch);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[TIMED_STEPS / 2];
    }
}
