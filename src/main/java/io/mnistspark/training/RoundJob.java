package io.mnistspark.training;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
     * partition, in partition order.
     */
    static List<WorkerResult> run(
            JavaSparkContext sc,
            List<String> references,
            int workers,
            FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker) {
        JavaRDD<String> partitions = sc.parallelize(references, workers);
        int count = partitions.getNumPartitions();
        WorkerResult[] results = new WorkerResult[count];
        sc.sc().runJob(partitions.rdd(), new FitPartition(worker), allPartitions(count), new Collect(results), tagOf());
        return new ArrayList<>(Arrays.asList(results));
    }

    private static Seq<Object> allPartitions(int count) {
        List<Object> indices = new ArrayList<>(IntStream.range(0, count).boxed().toList());
        return JavaConverters.asScalaBuffer(indices);
    }

    private static ClassTag<WorkerResult> tagOf() {
        return ClassTag$.MODULE$.apply(WorkerResult.class);
    }

    /** Runs on the executors: one worker over one partition's references; its one result as plain arrays. */
    private static final class FitPartition
            extends AbstractFunction2<TaskContext, scala.collection.Iterator<String>, WorkerResult>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker;

        FitPartition(FlatMapFunction<java.util.Iterator<String>, ParameterAveragingTrainingResult> worker) {
            this.worker = worker;
        }

        @Override
        public WorkerResult apply(TaskContext task, scala.collection.Iterator<String> references) {
            try {
                // dl4j-spark's worker returns exactly one result for its partition, also for an empty one.
                return WorkerResult.of(
                        worker.call(JavaConverters.asJavaIterator(references)).next());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("worker failed in partition " + task.partitionId(), e);
            }
        }
    }

    /** Runs on the driver: keeps each partition's result at its index. */
    private static final class Collect extends AbstractFunction2<Object, WorkerResult, BoxedUnit> {
        private final WorkerResult[] results;

        Collect(WorkerResult[] results) {
            this.results = results;
        }

        @Override
        public BoxedUnit apply(Object partition, WorkerResult result) {
            results[(Integer) partition] = result;
            return BoxedUnit.UNIT;
        }
    }
}
