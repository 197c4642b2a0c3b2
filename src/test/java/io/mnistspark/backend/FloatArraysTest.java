package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FloatArraysTest {

    private static final float[][] MATRIX = {{1, 2, 3}, {4, 5, 6}};

    @Test
    void of_thenRows_roundTripsAMatrix() {
        INDArray array = FloatArrays.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(MATRIX, FloatArrays.rows(array));
    }

    @Test
    void rows_ofAFortranOrderedMatrix_readsRowsNotMemoryOrder() {
        INDArray fortran = Nd4j.create(MATRIX).dup('f');
        assertArrayEquals(MATRIX, FloatArrays.rows(fortran));
    }

    @Test
    void rows_ofAViewIntoALargerArray_readsOnlyTheView() {
        INDArray wider = Nd4j.create(new float[][] {{0, 1, 2, 3}, {0, 4, 5, 6}});
        INDArray rightColumns = wider.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4));
        assertArrayEquals(MATRIX, FloatArrays.rows(rightColumns));
    }

    @Test
    void rows_ofAVector_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> FloatArrays.rows(Nd4j.create(new float[] {1, 2, 3})));
    }
}
