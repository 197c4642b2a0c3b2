package io.mnistspark.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mnistspark.model.ReferenceCnn;
import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

/** The round's broadcast reaches executors of another JVM as dl4j-spark's own tuple, with the same contents. */
class RoundBroadcastTest {

    private static MultiLayerNetwork network;

    @BeforeAll
    static void trainedForOneStep() {
        network = new MultiLayerNetwork(ReferenceCnn.configuration(0.002, 7));
        network.init();
        network.fit(Nd4j.rand(8, 1, 28, 28), Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5, 6, 7));
    }

    @Test
    void javaSerialisation_deliversDl4jsTupleWithTheSameArraysAndConfiguration() {
        assertDeliveredIntact(new JavaSerializer(new SparkConf()));
    }

    @Test
    void kryoWithMnistSparksRegistration_deliversDl4jsTupleWithTheSameArraysAndConfiguration() {
        SparkConf kryo = new SparkConf().set("spark.kryo.registrator", "io.mnistspark.job.KryoRegistration");
        assertDeliveredIntact(new KryoSerializer(kryo));
    }

    @Test
    void of_copiesTheArrays_soLaterTrainingDoesNotReachTheWorkers() {
        NetBroadcastTuple tuple = RoundBroadcast.of(network);
        network.params().addi(1);
        try {
            assertEquals(network.params().sub(1), tuple.getParameters());
        } finally {
            network.params().subi(1);
        }
    }

    private static void assertDeliveredIntact(Serializer serializer) {
        SerializerInstance instance = serializer.newInstance();
        NetBroadcastTuple sent = RoundBroadcast.of(network);
        ByteBuffer bytes = instance.serialize(sent, ClassTag$.MODULE$.apply(NetBroadcastTuple.class));
        NetBroadcastTuple received = instance.deserialize(bytes, ClassTag$.MODULE$.apply(NetBroadcastTuple.class));

        assertSame(NetBroadcastTuple.class, received.getClass());
        assertEquals(network.params(), received.getParameters());
        assertEquals(network.getUpdater().getStateViewArray(), received.getUpdaterState());
        assertEquals(
                network.getLayerWiseConfigurations().toJson(),
                received.getConfiguration().toJson());
    }
}
