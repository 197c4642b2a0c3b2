package io.mnistspark.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** What a round frees at once, and what it leaves alone. */
class NativeMemoryTest {

    @Test
    void freesArraysThatOwnTheirMemory_leavesViewsAndWorkspaceArraysAlone() {
        INDArray owner = Nd4j.createFromArray(1f, 2f, 3f, 4f);
        INDArray view = Nd4j.createFromArray(1f, 2f, 3f, 4f).get(NDArrayIndex.interval(0, 2));
        try (MemoryWorkspace workspace = Nd4j.getWorkspaceManager().getAndActivateWorkspace("NativeMemoryTest")) {
            INDArray inWorkspace = Nd4j.create(4);

            NativeMemory.free(owner, view, inWorkspace, null);

            assertTrue(owner.wasClosed());
            assertFalse(view.wasClosed());
            assertFalse(inWorkspace.wasClosed());
            assertEquals(2f, view.getFloat(1));
        }
    }

    @Test
    void aWorkersResult_isCopiedBeforeItsArraysAreFreed() {
        INDArray parameters = Nd4j.createFromArray(1f, 2f);
        INDArray updaterState = Nd4j.createFromArray(3f, 4f, 5f);

        WorkerResult taken = WorkerResult.takeFrom(
                new ParameterAveragingTrainingResult(parameters, updaterState, 0.25, null, null, null));

        assertArrayEquals(new float[] {1f, 2f}, taken.parameters());
        assertArrayEquals(new float[] {3f, 4f, 5f}, taken.updaterState());
        assertEquals(0.25, taken.loss());
        assertTrue(parameters.wasClosed());
        assertTrue(updaterState.wasClosed());
    }

    @Test
    void aFittedMinibatch_isFreed() {
        DataSet minibatch = new DataSet(Nd4j.rand(2, 784), Nd4j.createFromArray(new float[][] {{1f, 0f}, {0f, 1f}}));

        new FreeMinibatches().postUpdate(minibatch, null);

        assertTrue(minibatch.getFeatures().wasClosed());
        assertTrue(minibatch.getLabels().wasClosed());
    }
}
