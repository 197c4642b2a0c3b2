package io.mnistspark.backend;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What mnist-spark's oneDNN kernels share besides {@link Operand}: the CPU engine, float layouts, which ND4J arrays
 * oneDNN can read as they are, and the channels-last activations the kernels hand each other.
 *
 * <p>Channels-last: DL4J's layers see the images' activations as {@code [batch, channels, height, width]} (NCHW) and
 * only ever ask for their shape, so the kernels give them arrays of that shape whose elements lie in memory as
 * {@code [batch, height, width, channels]}: a permuted view of a row-major NHWC array. oneDNN's convolution and
 * pooling kernels are fastest on that layout, and a layer's output then goes into the next kernel without a copy.
 */
final class OneDnn {

    static final engine CPU = new engine(engine.kind.cpu, 0);

    private static final int[] NHWC_AS_NCHW = {0, 3, 1, 2};

    private OneDnn() {}

    /** True when the array's elements lie in row-major order with no gaps (strides of size-1 axes do not matter). */
    static boolean isDense(INDArray array) {
        return isDenseInAxisOrder(array, identity(array.rank()));
    }

    static INDArray dense(INDArray array) {
        return isDense(array) ? array : array.dup('c');
    }

    /** The native address of the array's first element (ND4J's data pointer is already at the array's offset). */
    static long addressOf(INDArray array) {
        return array.data().addressPointer().address();
    }

    /** The array's elements as a float pointer of its length, starting at its first element. */
    static FloatPointer elements(INDArray array) {
        // ND4J's data pointer is already at the array's own offset.
        FloatPointer elements = new FloatPointer(array.data().addressPointer());
        return elements.position(0).limit(array.length()).capacity(array.length());
    }

    /**
     * True when the elements of an NCHW-shaped array lie in memory as NHWC, with no gaps (the layout of
     * {@link #channelsLast}; any dense NCHW array with one channel qualifies too).
     */
    static boolean isChannelsLast(INDArray array) {
        return array.rank() == 4 && isDenseInAxisOrder(array, new int[] {0, 2, 3, 1});
    }

    /**
     * True when both arrays have the same shape and their elements lie at the same places of one run of memory each:
     * an element-wise kernel can then treat both as flat vectors.
     */
    static boolean sameDenseLayout(INDArray first, INDArray second) {
        if (!first.equalShapes(second) || !isDenseInSomeAxisOrder(first)) {
            return false;
        }
        for (int axis = 0; axis < first.rank(); axis++) {
            if (first.size(axis) != 1 && first.stride(axis) != second.stride(axis)) {
                return false;
            }
        }
        return true;
    }

    /** True when the array's elements fill one run of memory with no gaps, in whatever order of its axes. */
    static boolean isDenseInSomeAxisOrder(INDArray array) {
        Integer[] axes = new Integer[array.rank()];
        for (int axis = 0; axis < axes.length; axis++) {
            axes[axis] = axis;
        }
        java.util.Arrays.sort(axes, (a, b) -> Long.compare(array.stride(b), array.stride(a)));
        int[] order = new int[axes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = axes[i];
        }
        return isDenseInAxisOrder(array, order);
    }

    /**
     * A new, uninitialised float array of the NCHW {@code shape}, laid out channels-last ({@link #isChannelsLast}), in
     * the workspace DL4J keeps arrays of {@code type} in.
     */
    static INDArray channelsLast(LayerWorkspaceMgr workspaces, ArrayType type, long[] shape) {
        long[] nhwc = {shape[0], shape[2], shape[3], shape[1]};
        return workspaces.createUninitialized(type, DataType.FLOAT, nhwc, 'c').permute(NHWC_AS_NCHW);
    }

    /** {@code array} itself when it is laid out channels-last, else a channels-last copy of it. */
    static INDArray toChannelsLast(INDArray array, LayerWorkspaceMgr workspaces, ArrayType type) {
        if (isChannelsLast(array)) {
            return array;
        }
        INDArray copy = channelsLast(workspaces, type, array.shape());
        copy.assign(array);
        return copy;
    }

    static memory.desc floats(long[] shape, memory.format_tag layout) {
        return new memory.desc(shape, memory.data_type.f32, layout);
    }

    /** How the kernels hold activations and their gradients: NCHW dimensions, NHWC in memory. */
    static memory.desc activations(long[] shape) {
        return floats(shape, memory.format_tag.nhwc);
    }

    /** Whether the elements lie without gaps when the axes are read in {@code order}, outermost first. */
    private static boolean isDenseInAxisOrder(INDArray array, int[] order) {
        long expected = 1;
        for (int i = order.length - 1; i >= 0; i--) {
            int axis = order[i];
            if (array.size(axis) != 1 && array.stride(axis) != expected) {
                return false;
            }
            expected *= array.size(axis);
        }
        return true;
    }

    private static int[] identity(int rank) {
        int[] axes = new int[rank];
        for (int axis = 0; axis < rank; axis++) {
            axes[axis] = axis;
        }
        return axes;
    }
}
