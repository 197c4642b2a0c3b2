package io.mnistspark.training;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Runs a round's worker on every partition of the round's minibatch references as one Spark job, and returns the
 * workers' results in partition order.
 *
 * <p>Why not {@code mapPartitions(...).map(...).collect()}: every RDD operation hands Spark a Scala closure, and
 * Spark's closure cleaner reads and parses the class file of the class that defines it (RDD, SparkContext, JavaRDDLike,
 * JavaPairRDD, hundreds of kilobytes with ASM) on every job. In a scratch harness on {@code local[2]} a trivial job took
 * 28 ms that way and 14 ms through {@code SparkContext.runJob} with the plain function classes below, which the cleaner
 * passes over (median of 600 alternated jobs each; ~50 against ~27 ms over the first 100, before the JIT warms up):
 * a training run has 15 rounds an epoch at the defaults.
 */
final class RoundJob {

    private RoundJob() {}

    /**
     * Fits {@code references} split into {@code workers} partitions, each with {@code worker}, and returns one result per
     * partition, in partition order. With {@code inProcess} (tasks in the driver's JVM), the tasks put their results
     * in a mailbox of the round's by reference ({@link InProcessHandover}) and send Spark nothing but null.
     */
    static List<WorkerResult> run(
            JavaSparkContext sc,
            List<String> references,
            int workers,
            FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker,
            boolean inProcess) {
        JavaRDD<String> partitions = sc.parallelize(references, workers);
        int count = partitions.getNumPartitions();
        WorkerResult[] sent = new WorkerResult[count];
        InProcessHandover.Ticket mailbox =
                inProcess ? InProcessHandover.deposit(new AtomicReferenceArray<>(count)) : null;
        AtomicReferenceArray<?> delivered;
        // Named, not after the call site Spark would find (a line of this file), so that the UI and the event log
        // name the stage the same from version to version.
        sc.setCallSite(DistributedTrainer.ROUND_STAGE_NAME);
        try {
            sc.sc()
                    .runJob(
                            partitions.rdd(),
                            new FitPartition(worker, mailbox),
                            allPartitions(count),
                            new Collect(sent),
                            tagOf());
        } finally {
            sc.clearCallSite();
            // Also when the job failed: a task that ends later finds no mailbox, and its result is dropped.
            delivered = mailbox == null ? null : InProcessHandover.take(mailbox, AtomicReferenceArray.class);
        }
        List<WorkerResult> results = new ArrayList<>();
        for (int partition = 0; partition < count; partition++) {
            results.add(delivered == null ? sent[partition] : (WorkerResult) delivered.get(partition));
        }
        return results;
    }

    private static Seq<Object> allPartitions(int count) {
        List<Object> indices = new ArrayList<>(IntStream.range(0, count).boxed().toList());
        return JavaConverters.asScalaBuffer(indices);
    }

    private static ClassTag<Object> tagOf() {
        return ClassTag$.MODULE$.apply(Object.class);
    }

    /**
     * Runs on the executors: one worker over one partition's references; its one result as plain arrays, or null
     * once the result is in the round's mailbox.
     */
    private static final class FitPartition
            extends AbstractFunction2<TaskContext, scala.collection.Iterator<String>, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker;
        private final InProcessHandover.Ticket mailbox;

        FitPartition(
                FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker,
                InProcessHandover.Ticket mailbox) {
            this.worker = worker;
            this.mailbox = mailbox;
        }

        @Override
        public Object apply(TaskContext task, scala.collection.Iterator<String> references) {
            try {
                // dl4j-spark's worker returns exactly one result for its partition, also for an empty one.
                WorkerResult result = WorkerResult.takeFrom(
                        worker.call(JavaConverters.asJavaIterator(references)).next());
                if (mailbox == null) {
                    return result;
                }
                AtomicReferenceArray<?> round = InProcessHandover.peek(mailbox, AtomicReferenceArray.class);
                if (round != null) {
                    deliver(round, task.partitionId(), result);
                }
                return null;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("worker failed in partition " + task.partitionId(), e);
            }
        }
    }

    @SuppressWarnings("unchecked") // the driver made the mailbox for the round's results
    private static void deliver(AtomicReferenceArray<?> mailbox, int partition, WorkerResult result) {
        ((AtomicReferenceArray<WorkerResult>) mailbox).set(partition, result);
    }

    /** Runs on the driver: keeps what each partition's task sent at its index. */
    private static final class Collect extends AbstractFunction2<Object, Object, BoxedUnit> {
        private final WorkerResult[] results;

        Collect(WorkerResult[] results) {
            this.results = results;
        }

        @Override
        public BoxedUnit apply(Object partition, Object result) {
            results[(Integer) partition] = (WorkerResult) result;
            return BoxedUnit.UNIT;
        }
    }
}
