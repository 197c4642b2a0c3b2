package io.mnistspark.job;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What a job sends, serialised by Java serialisation when the cluster's {@code spark.serializer} is Kryo
 * ({@link SparkSessions} adds this registrator to {@code spark.kryo.registrator}).
 *
 * <p>Why not Kryo's own serializers: Kryo 4 (Spark 3.5's) builds a FieldSerializer for any class it has no serializer
 * for, which fails on Java records ({@code train}'s first broadcast, of {@code io.mnistspark.data.Slice}: "Unable to
 * create serializer ... FieldSerializer for class: io.mnistspark.data.Slice"), and ND4J's arrays keep their data off
 * the heap, where a field-by-field copy sees only the pointers. These classes all serialise themselves for Java.
 */
public final class KryoRegistration implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        JavaSerializer java = new JavaSerializer();
        // Default serializers apply to subclasses too: every record, every ND4J array, every DL4J evaluation.
        for (Class<?> type : new Class<?>[] {
            Record.class,
            INDArray.class,
            DataSet.class,
            IEvaluation.class,
            MultiLayerConfiguration.class,
            NetBroadcastTuple.class,
            SerializableHadoopConfig.class
        }) {
            kryo.addDefaultSerializer(type, java);
        }
    }
}
