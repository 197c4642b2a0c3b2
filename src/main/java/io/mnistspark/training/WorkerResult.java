package io.mnistspark.training;

import io.mnistspark.backend.FloatArrays;
import java.io.Serializable;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a worker sends back to the driver: dl4j-spark's result type is not serializable (its master aggregates it on
 * the executors), so its parts travel in this one, as plain float arrays: Java serialisation of an INDArray writes it
 * element by element, and a round trip of the parameters and Adam's state took 16 ms against 5 ms for the same floats
 * as {@code float[]}, paid by every worker in every round. A worker without minibatches returns null arrays.
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed
record WorkerResult(float[] parameters, float[] updaterState, double loss) implements Serializable {

    /**
     * The result's arrays copied, and then freed ({@link NativeMemory}): they are the worker network's own parameters
     * and Adam's state, and dl4j-spark builds a new network for every round.
     */
    static WorkerResult takeFrom(ParameterAveragingTrainingResult result) {
        WorkerResult taken =
                new WorkerResult(floats(result.getParameters()), floats(result.getUpdaterState()), result.getScore());
        NativeMemory.free(result.getParameters(), result.getUpdaterState());
        return taken;
    }

    private static float[] floats(INDArray array) {
        return array == null ? null : FloatArrays.values(array);
    }
}
