package io.mnistspark.backend;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's plain ReLU ({@code max(0, x)}), computed by oneDNN's vectorised element-wise primitives.
 *
 * <p>Why: libnd4j's {@code relu_bp} took 4.5 ms of a 30 ms training step at batch 64 (one thread), about 2.6 ns per
 * element for what is a compare and a select. With this activation two training threads at batch 64 went from 3,671 to
 * 4,139 images/s (docs/performance.md). Arrays it does not cover (not in one run of memory, not float) go to DL4J's
 * own code.
 *
 * <p>It is an activation object, so it lives in a layer's configuration: {@link OneDnnKernels} puts it only into
 * networks that are trained or timed and then thrown away, and refuses to let one be saved.
 */
@SuppressWarnings("VariableNameSameAsType") // oneDNN's types are lower-case (stream, memory): named after the type
final class OneDnnRelu extends ActivationReLU {

    private static final long serialVersionUID = 1L;

    // Native state, made on first use: a copy of this object (DL4J clones configurations) makes its own.
    private transient stream stream;
    private transient Map<Long, Primitives> primitivesByLength;
    private transient long maskedGradientAddress; // see derivativeAlreadyApplied; 0 when there is none
    private transient long gradientsPassedOn; // how many backprops found their derivative applied (for tests)

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        if (!covers(in)) {
            return super.getActivation(in, training);
        }
        Primitives primitives = primitivesFor(in.length());
        primitives.source.bind(in);
        primitives.destination.bind(in); // in place, as DL4J's ReLU
        primitives.forward.execute(stream(), primitives.forwardArgs);
        return in;
    }

    /**
     * Tells this ReLU that {@code gradient}, the one its next backpropagation gets, has the ReLU's derivative applied
     * already: the max pooling after it does that as it writes the gradient ({@link MaxPoolingScatter}).
     */
    void derivativeAlreadyApplied(INDArray gradient) {
        maskedGradientAddress = OneDnn.addressOf(gradient);
    }

    /** How many backpropagations passed their gradient on as it was, its derivative applied already. */
    long gradientsPassedOn() {
        return gradientsPassedOn;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        if (maskedGradientAddress != 0 && OneDnn.addressOf(epsilon) == maskedGradientAddress) {
            maskedGradientAddress = 0;
            gradientsPassedOn++;
            return new Pair<>(epsilon, null);
        }
        maskedGradientAddress = 0;
        if (!covers(in) || !OneDnn.sameDenseLayout(in, epsilon)) {
            return super.backprop(in, epsilon);
        }
        // The gradient overwrites the pre-activations, which nothing reads after this (the layer asks for them only
        // to backpropagate through the activation): a fresh array cost one more pass over memory, and these are the
        // largest arrays of the step (2.3 million floats after the first convolution at batch 200).
        Primitives primitives = primitivesFor(in.length());
        primitives.source.bind(in);
        primitives.deltaIn.bind(epsilon);
        primitives.deltaOut.bind(in);
        primitives.backward.execute(stream(), primitives.backwardArgs);
        return new Pair<>(in, null);
    }

    /** Whether this is DL4J's plain ReLU, the one this class computes. */
    static boolean replaces(Object activation) {
        return activation.getClass() == ActivationReLU.class
                && ((ActivationReLU) activation).getMax() == null
                && ((ActivationReLU) activation).getThreshold() == null
                && ((ActivationReLU) activation).getNegativeSlope() == null;
    }

    /** Float arrays in one run of memory: row-major, or the convolutions' channels-last views. */
    private static boolean covers(INDArray array) {
        return array.dataType() == DataType.FLOAT && OneDnn.isDenseInSomeAxisOrder(array);
    }

    private Primitives primitivesFor(long length) {
        if (primitivesByLength == null) {
            primitivesByLength = new HashMap<>();
        }
        return primitivesByLength.computeIfAbsent(length, Primitives::new);
    }

    private stream stream() {
        if (stream == null) {
            stream = new stream(OneDnn.CPU);
        }
        return stream;
    }

    /** Forward and backward ReLU over arrays of one length, seen as flat vectors (the layout does not matter). */
    private static final class Primitives {
        final Operand source;
        final Operand destination;
        final Operand deltaIn;
        final Operand deltaOut;
        final eltwise_forward forward;
        final eltwise_backward backward;
        final IntMemoryMap forwardArgs = new IntMemoryMap();
        final IntMemoryMap backwardArgs = new IntMemoryMap();

        Primitives(long length) {
            memory.desc vector = OneDnn.floats(new long[] {length}, memory.format_tag.x);
            eltwise_forward.primitive_desc forwardPlan = new eltwise_forward.primitive_desc(
                    new eltwise_forward.desc(forward_training, eltwise_relu, vector, 0f, 0f), OneDnn.CPU);
            forward = new eltwise_forward(forwardPlan);
            backward = new eltwise_backward(new eltwise_backward.primitive_desc(
                    new eltwise_backward.desc(eltwise_relu, vector, vector, 0f, 0f), OneDnn.CPU, forwardPlan));
            source = Operand.inPlace(vector);
            destination = Operand.inPlace(vector);
            deltaIn = Operand.inPlace(vector);
            deltaOut = Operand.inPlace(vector);
            forwardArgs.put(DNNL_ARG_SRC, source.primitiveMemory());
            forwardArgs.put(DNNL_ARG_DST, destination.primitiveMemory());
            backwardArgs.put(DNNL_ARG_SRC, source.primitiveMemory());
            backwardArgs.put(DNNL_ARG_DIFF_DST, deltaIn.primitiveMemory());
            backwardArgs.put(DNNL_ARG_DIFF_SRC, deltaOut.primitiveMemory());
        }
    }
}
