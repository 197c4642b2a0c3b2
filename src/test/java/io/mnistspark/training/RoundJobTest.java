package io.mnistspark.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

/** A round's job on a real local[2] Spark: results in partition order, by reference or through Spark alike. */
class RoundJobTest {

    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("RoundJobTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void resultsComeInPartitionOrder_theSameByReferenceAsThroughSpark() {
        List<String> references =
                IntStream.range(0, 7).mapToObj(i -> "ref-" + i).toList();

        List<WorkerResult> throughSpark = RoundJob.run(sc, references, 3, new Summarise(), false);
        List<WorkerResult> byReference = RoundJob.run(sc, references, 3, new Summarise(), true);

        assertEquals(3, throughSpark.size());
        for (int partition = 0; partition < 3; partition++) {
            assertArrayEquals(
                    throughSpark.get(partition).parameters(),
                    byReference.get(partition).parameters());
            assertArrayEquals(
                    throughSpark.get(partition).updaterState(),
                    byReference.get(partition).updaterState());
            assertEquals(
                    throughSpark.get(partition).loss(),
                    byReference.get(partition).loss());
        }
        // Spark splits 7 references into partitions of 2, 2 and 3, in order: each result is its partition's.
        assertArrayEquals(new float[] {2, 0}, throughSpark.get(0).parameters());
        assertArrayEquals(new float[] {2, 2}, throughSpark.get(1).parameters());
        assertArrayEquals(new float[] {3, 4}, throughSpark.get(2).parameters());
        assertEquals(0, InProcessHandover.held(), "every deposited result was taken");
    }

    @Test
    void aFailingWorker_failsTheRound_andLeavesNoResultBehind() {
        List<String> references =
                IntStream.range(0, 4).mapToObj(i -> "ref-" + i).toList();

        assertThrows(Exception.class, () -> RoundJob.run(sc, references, 2, new FailOnSecondPartition(), true));
        assertEquals(0, InProcessHandover.held());
    }

    @Test
    void inProcessBroadcast_reachesTasksAsTheDriversObject_andSerialisesToATicket() {
        float[] large = new float[525_000];
        large[7] = 3.5f;
        Broadcast<float[]> broadcast = InProcessHandover.broadcast(large, float[].class);
        try {
            List<Float> seen = sc.parallelize(List.of(7, 8), 2)
                    .map(i -> broadcast.value()[i])
                    .collect();
            assertEquals(List.of(3.5f, 0f), seen);

            ByteBuffer bytes = new JavaSerializer(new SparkConf())
                    .newInstance()
                    .serialize(broadcast, ClassTag$.MODULE$.apply(Broadcast.class));
            assertTrue(bytes.remaining() < 2_000, "serialised to " + bytes.remaining() + " bytes");
        } finally {
            broadcast.destroy();
        }
        assertEquals(0, InProcessHandover.held(), "destroying the broadcast forgets its value");
    }

    /** Stands in for dl4j-spark's worker: its result says how many references it got and where they started. */
    private static final class Summarise
            implements FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<ParameterAveragingTrainingResult> call(Iterator<String> references) {
            List<String> got = new ArrayList<>();
            references.forEachRemaining(got::add);
            float first = Float.parseFloat(got.get(0).substring("ref-".length()));
            ParameterAveragingTrainingResult result = new ParameterAveragingTrainingResult(
                    Nd4j.createFromArray(got.size(), first),
                    Nd4j.createFromArray(first * 10, first * 20, first * 30),
                    0.5 + first,
                    null,
                    null,
                    null);
            return List.of(result).iterator();
        }
    }

    private static final class FailOnSecondPartition
            implements FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<ParameterAveragingTrainingResult> call(Iterator<String> references) {
            if (org.apache.spark.TaskContext.getPartitionId() == 1) {
                throw new IllegalStateException("a worker fails");
            }
            return new Summarise().call(references);
        }
    }
}
