package io.mnistspark.training;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees the native memory of ND4J arrays that a round is done with, instead of leaving it to the garbage collector.
 *
 * <p>Why: ND4J frees an array's memory only once the collector finds its small Java object dead, and the JVM collects
 * by the heap it sees, not by the native memory behind those objects. A default round leaves ~60 MB of it behind (the
 * workers' networks and minibatches, the driver's copies of their results; its physical memory rose and fell by that
 * much from one collection to the next). Once a round made less heap garbage (one Spark job a round) the collector came
 * half as often, and the default run's peak RSS grew with the rounds: 3.6 GB after 20 epochs, 2.95 GB with this class;
 * the rest was glibc keeping freed blocks (MALLOC_MMAP_THRESHOLD_ in conf/spark-defaults.conf; docs/performance.md).
 */
final class NativeMemory {

    private NativeMemory() {}

    /**
     * Frees each array that owns its memory; views and arrays in a workspace (not {@code closeable()}) are left alone.
     * The caller must be the arrays' last user.
     */
    static void free(INDArray... arrays) {
        for (INDArray array : arrays) {
            if (array != null && array.closeable()) {
                array.close();
            }
        }
    }
}
