package io.mnistspark.backend;

import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float matrix products on oneDNN's {@code dnnl_sgemm}, reading and writing ND4J's 2-D arrays where they lie.
 *
 * <p>Why: libnd4j's {@code matmul} ran the dense layers' products of 200 x 1,250 by 1,250 x 128 at 3-7 ms each on one
 * thread, oneDNN's sgemm at 1.3-2.0 ms with the same results (a scratch harness, one thread, docs/performance.md).
 */
final class OneDnnGemm {

    private static final byte NOT_TRANSPOSED = 'N';
    private static final byte TRANSPOSED = 'T';

    private OneDnnGemm() {}

    /** Whether {@code array} is a float matrix whose rows or whose columns lie one after another in memory. */
    static boolean covers(INDArray array) {
        return array.dataType() == DataType.FLOAT && array.rank() == 2 && (isRowMajor(array) || isColumnMajor(array));
    }

    /**
     * {@code product = left x right}, overwriting {@code product}; every argument must be {@link #covers covered}.
     * A column-major array is read as the transpose of a row-major one, so no argument is copied.
     */
    static void multiply(INDArray left, INDArray right, INDArray product) {
        if (left.rows() != product.rows() || right.columns() != product.columns() || left.columns() != right.rows()) {
            throw new IllegalArgumentException("shapes do not multiply: " + java.util.Arrays.toString(left.shape())
                    + " x " + java.util.Arrays.toString(right.shape()) + " into "
                    + java.util.Arrays.toString(product.shape()));
        }
        if (!isRowMajor(product)) {
            // (L R)^T = R^T L^T, and the transpose of a column-major array is a row-major view of the same memory.
            multiply(right.transpose(), left.transpose(), product.transpose());
            return;
        }
        int status = dnnl.dnnl_sgemm(
                isRowMajor(left) ? NOT_TRANSPOSED : TRANSPOSED,
                isRowMajor(right) ? NOT_TRANSPOSED : TRANSPOSED,
                product.rows(),
                product.columns(),
                left.columns(),
                1f,
                OneDnn.elements(left),
                leadingDimension(left),
                OneDnn.elements(right),
                leadingDimension(right),
                0f,
                OneDnn.elements(product),
                leadingDimension(product));
        if (status != dnnl.dnnl_success) {
            throw new IllegalStateException("dnnl_sgemm failed with status " + status);
        }
    }

    private static boolean isRowMajor(INDArray matrix) {
        return (matrix.stride(1) == 1 || matrix.columns() == 1) && matrix.stride(0) >= matrix.columns();
    }

    private static boolean isColumnMajor(INDArray matrix) {
        return (matrix.stride(0) == 1 || matrix.rows() == 1) && matrix.stride(1) >= matrix.rows();
    }

    /** The distance between rows of the row-major matrix the array is, or between rows of its transpose. */
    private static long leadingDimension(INDArray matrix) {
        if (isRowMajor(matrix)) {
            return Math.max(matrix.stride(0), Math.max(1, matrix.columns()));
        }
        return Math.max(matrix.stride(1), Math.max(1, matrix.rows()));
    }
}
