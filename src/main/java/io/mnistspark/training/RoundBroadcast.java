package io.mnistspark.training;

import io.mnistspark.backend.FloatArrays;
import java.io.Serializable;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the driver broadcasts at the start of a round: dl4j-spark's {@link NetBroadcastTuple} of the network's
 * configuration, parameters and Adam's state, serialised with its arrays as plain float arrays.
 *
 * <p>Why: Java serialisation of an ND4J array writes it element by element. Serialising the parameters and Adam's
 * state (525,000 floats) that way took ~19 ms of the driver's time a round, while every worker waited (JFR samples of
 * a 3-epoch default run). Executors read back a plain {@link NetBroadcastTuple}, so dl4j-spark's worker needs nothing
 * of mnist-spark's; in local mode they read the driver's object itself and nothing is deserialised.
 */
public final class RoundBroadcast extends NetBroadcastTuple {

    private static final long serialVersionUID = 1L;

    private RoundBroadcast(MultiLayerConfiguration configuration, INDArray parameters, INDArray updaterState) {
        super(configuration, parameters, updaterState);
    }

    /** The tuple of copies of {@code network}'s arrays: in local mode the workers read this very object. */
    public static NetBroadcastTuple of(MultiLayerNetwork network) {
        return new RoundBroadcast(
                network.getLayerWiseConfigurations(),
                network.params().dup(),
                network.getUpdater().getStateViewArray().dup());
    }

    private Object writeReplace() {
        return new Packed(getConfiguration(), Floats.of(getParameters()), Floats.of(getUpdaterState()));
    }

    /** The serialised form: the configuration and the arrays as float arrays with their shapes. */
    private record Packed(MultiLayerConfiguration configuration, Floats parameters, Floats updaterState)
            implements Serializable {
        private Object readResolve() {
            return new NetBroadcastTuple(configuration, parameters.toArray(), updaterState.toArray());
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed
    private record Floats(float[] values, long[] shape) implements Serializable {
        static Floats of(INDArray array) {
            return array == null ? null : new Floats(FloatArrays.values(array), array.shape());
        }

        INDArray toArray() {
            return FloatArrays.of(values, shape);
        }
    }
}
