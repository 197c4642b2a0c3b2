package io.mnistspark.training;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * How long the workers spent fitting minibatches in a round, measured on the workers around each minibatch's fit and
 * sent back with the task results (a Spark accumulator). dl4j-spark's own training statistics measure the same, but
 * their default clock asks an NTP server for the time, and nothing here reaches the network at run time.
 */
final class FitTimes {

    private final CollectionAccumulator<long[]> fits;

    FitTimes(JavaSparkContext sc) {
        fits = sc.sc().collectionAccumulator("mnist-spark minibatch fit times");
    }

    /** The hook that measures each minibatch's fit on the worker. */
    TrainingHook hook() {
        return new Hook(fits);
    }

    /** Forgets the times measured so far: call before a round. */
    void reset() {
        fits.reset();
    }

    /** Seconds of the worker that spent longest fitting since {@link #reset()}. */
    double slowestWorkerSeconds() {
        Map<Long, Long> nanosByTask = new HashMap<>();
        List<long[]> measured = fits.value();
        for (long[] fit : measured) {
            nanosByTask.merge(fit[0], fit[1], Long::sum);
        }
        return nanosByTask.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
    }

    /** Runs on the workers: one {task attempt, nanoseconds} entry per fitted minibatch. */
    private static final class Hook extends MinibatchHook {
        private static final long serialVersionUID = 1L;
        private final CollectionAccumulator<long[]> fits;
        private transient long started;

        Hook(CollectionAccumulator<long[]> fits) {
            this.fits = fits;
        }

        @Override
        public void preUpdate(DataSet minibatch, Model model) {
            started = System.nanoTime();
        }

        @Override
        public void postUpdate(DataSet minibatch, Model model) {
            TaskContext task = TaskContext.get();
            long attempt = task == null ? -1 : task.taskAttemptId();
            fits.add(new long[] {attempt, System.nanoTime() - started});
        }
    }
}
