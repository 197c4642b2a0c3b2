package io.mnistspark.training;

import java.util.SplittableRandom;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeds ND4J's random generator on the worker before each minibatch, from the run's seed, the step (the network's
 * iteration count, the same on every worker of a round) and the worker's partition: the dropout masks then depend on
 * nothing but the run, so a retried task or a resumed run draws the same masks again.
 */
final class DropoutSeeds extends MinibatchHook {

    private static final long serialVersionUID = 1L;
    private final long seed;

    DropoutSeeds(long seed) {
        this.seed = seed;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork network) {
            TaskContext task = TaskContext.get();
            int partition = task == null ? 0 : task.partitionId();
            Nd4j.getRandom().setSeed(minibatchSeed(seed, network.getIterationCount(), partition));
        }
    }

    static long minibatchSeed(long seed, int iteration, int partition) {
        return new SplittableRandom(seed).split().nextLong()
                ^ new SplittableRandom(((long) iteration << 32) | (partition & 0xFFFFFFFFL)).nextLong();
    }
}
