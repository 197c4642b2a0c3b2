package io.mnistspark.backend;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What mnist-spark's oneDNN kernels share besides {@link Operand}: the CPU engine, float layouts, and which ND4J arrays
 * oneDNN can read as they are.
 */
final class OneDnn {

    static final engine CPU = new engine(engine.kind.cpu, 0);

    private OneDnn() {}

    /** True when the array's elements lie in row-major order with no gaps (strides of size-1 axes do not matter). */
    static boolean isDense(INDArray array) {
        long expected = 1;
        for (int axis = array.rank() - 1; axis >= 0; axis--) {
            if (array.size(axis) != 1 && array.stride(axis) != expected) {
                return false;
            }
            expected *= array.size(axis);
        }
        return true;
    }

    static INDArray dense(INDArray array) {
        return isDense(array) ? array : array.dup('c');
    }

    static memory.desc floats(long[] shape, memory.format_tag layout) {
        return new memory.desc(shape, memory.data_type.f32, layout);
    }
}
