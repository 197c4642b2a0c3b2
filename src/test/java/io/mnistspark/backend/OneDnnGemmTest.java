package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** oneDNN's sgemm on ND4J's arrays as they lie: row-major, column-major, transposed and offset views. */
class OneDnnGemmTest {

    @Test
    void multiply_equalsNd4jsProduct_forEveryMixOfRowAndColumnMajor() {
        for (char leftOrder : new char[] {'c', 'f'}) {
            for (char rightOrder : new char[] {'c', 'f'}) {
                for (char productOrder : new char[] {'c', 'f'}) {
                    INDArray left = Nd4j.rand(DataType.FLOAT, 7, 5).dup(leftOrder);
                    INDArray right = Nd4j.rand(DataType.FLOAT, 5, 3).dup(rightOrder);
                    INDArray product = Nd4j.create(DataType.FLOAT, new long[] {7, 3}, productOrder);

                    OneDnnGemm.multiply(left, right, product);

                    assertClose(left.mmul(right), product, "" + leftOrder + rightOrder + productOrder);
                }
            }
        }
    }

    @Test
    void multiply_readsTransposedViewsAndViewsAtAnOffset() {
        INDArray larger = Nd4j.rand(DataType.FLOAT, 9, 6);
        // Rows 2-8 and columns 1-5: an offset view whose rows lie 6 floats apart.
        INDArray left = larger.get(NDArrayIndex.interval(2, 9), NDArrayIndex.interval(1, 6));
        INDArray right = Nd4j.rand(DataType.FLOAT, 4, 5).transpose();
        INDArray product = Nd4j.create(DataType.FLOAT, 7, 4);

        OneDnnGemm.multiply(left, right, product);

        assertClose(left.mmul(right), product, "offset and transposed views");
    }

    @Test
    void covers_onlyFloatMatricesWithRowsOrColumnsInARun() {
        assertTrue(OneDnnGemm.covers(Nd4j.rand(DataType.FLOAT, 4, 3)));
        assertFalse(OneDnnGemm.covers(Nd4j.rand(DataType.DOUBLE, 4, 3)), "not float");
        assertFalse(OneDnnGemm.covers(Nd4j.rand(DataType.FLOAT, 2, 4, 3)), "not a matrix");
        INDArray everyOtherColumn =
                Nd4j.rand(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 6));
        assertFalse(OneDnnGemm.covers(everyOtherColumn), "neither rows nor columns in one run");
    }

    @Test
    void multiply_refusesShapesThatDoNotMultiply() {
        INDArray product = Nd4j.create(DataType.FLOAT, 3, 3);
        assertThrows(
                IllegalArgumentException.class,
                () -> OneDnnGemm.multiply(Nd4j.rand(DataType.FLOAT, 3, 4), Nd4j.rand(DataType.FLOAT, 5, 3), product));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertTrue(
                expected.equalsWithEps(actual, 1e-5),
                what + ": differs by " + expected.sub(actual).amaxNumber());
    }
}
