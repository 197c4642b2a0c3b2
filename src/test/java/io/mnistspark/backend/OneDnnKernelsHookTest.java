package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mnistspark.model.ReferenceCnn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Optional;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** The hook that gives dl4j-spark's worker networks mnist-spark's oneDNN kernels, as an executor receives it. */
class OneDnnKernelsHookTest {

    @Test
    void afterTravellingToAnExecutor_itGivesTheWorkersNetworkTheKernelsBeforeItsFirstMinibatch() throws Exception {
        TrainingHook hook = serializedAndBack(
                KernelSwitch.with(true, OneDnnKernels::trainingHook).orElseThrow());
        MultiLayerNetwork workerNetwork = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 5));
        workerNetwork.init();

        hook.preUpdate(new DataSet(), workerNetwork);

        for (int i : new int[] {0, 1, 3}) {
            assertInstanceOf(
                    OneDnnConvolution.class,
                    ((ConvolutionLayer) workerNetwork.getLayer(i)).getHelper(),
                    "convolution layer " + i);
        }
    }

    @Test
    void trainingHook_withTheSwitchOff_isEmpty() throws Exception {
        assertEquals(Optional.empty(), KernelSwitch.with(false, OneDnnKernels::trainingHook));
    }

    private static TrainingHook serializedAndBack(TrainingHook hook) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(hook);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (TrainingHook) in.readObject();
        }
    }
}
