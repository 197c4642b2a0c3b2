package io.mnistspark.backend;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What mnist-spark's oneDNN kernels share: the CPU engine, and ND4J arrays seen as oneDNN memory. */
@SuppressWarnings("VariableNameSameAsType") // oneDNN's types are lower-case (stream, memory): named after the type
final class OneDnn {

    static final engine CPU = new engine(engine.kind.cpu, 0);

    private OneDnn() {
    }

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

    /** Where the array's first element is (ND4J's data pointer is already at the array's own offset). */
    static long addressOf(INDArray array) {
        return array.data().addressPointer().address();
    }

    /** Points {@code memory} at the array's elements, without copying. */
    static void bind(memory memory, INDArray array) {
        memory.set_data_handle(pointerTo(addressOf(array)));
    }

    static memory.desc floats(long[] shape, memory.format_tag layout) {
        return new memory.desc(shape, memory.data_type.f32, layout);
    }

    /** Memory with no data yet: {@link #bind} gives it an array's before each use. */
    static memory unbound(memory.desc layout) {
        return new memory(layout, CPU, null);
    }

    private static Pointer pointerTo(long nativeAddress) {
        // Inside the subclass the name "address" is Pointer's own field, hence the other parameter name.
        return new Pointer() {
            {
                address = nativeAddress;
            }
        };
    }
}
