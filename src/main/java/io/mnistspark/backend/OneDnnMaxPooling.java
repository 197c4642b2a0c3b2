package io.mnistspark.backend;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm.pooling_max;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_inference;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

import java.util.Arrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's max-pooling layer computed by oneDNN's pooling primitives, on channels-last activations
 * ({@link OneDnn#channelsLast}).
 *
 * <p>Why: libnd4j pools NCHW arrays with scalar code and keeps no record of where each maximum was, so DL4J's
 * backpropagation runs the forward pooling again before its backward pass: 18.2 ms of a 79 ms training step at batch
 * 200 on one thread (docs/performance.md), plus the reorders between the convolutions' channels-last arrays and NCHW.
 * oneDNN's forward pass writes the maxima's positions into a workspace that its backward pass reads.
 *
 * <p>A layer, not a helper: DL4J M2's {@link SubsamplingLayer} asks a helper only in backpropagation, never in the
 * forward pass. {@link OneDnnKernels} puts it in place of the network's own pooling layers in networks that are
 * thrown away after training or predicting; the layer configuration stays DL4J's, so nothing of it is saved. What it
 * does not cover (another pooling type or data type, Same mode, dilation, dropout on the layer) it hands to DL4J's own
 * code.
 */
@SuppressWarnings("VariableNameSameAsType") // oneDNN's types are lower-case (stream, memory): named after the type
final class OneDnnMaxPooling extends SubsamplingLayer {

    private static final long serialVersionUID = 1L;

    private transient stream stream;
    private transient Primitives primitives;
    private transient OneDnnRelu reluBefore; // the previous layer's ReLU, whose derivative the backward pass applies

    /** Takes the place of {@code original}, with its configuration, position and listeners. */
    OneDnnMaxPooling(SubsamplingLayer original, DataType dataType) {
        super(original.conf(), dataType);
        setIndex(original.getIndex());
        setListeners(original.getListeners());
        setEpochCount(original.getEpochCount());
    }

    /**
     * Makes the backward pass apply the derivative of {@code relu}, the activation of the layer before this one, and
     * tell it so (it then passes the gradient on as it is): this layer's input is that ReLU's output.
     */
    void applyDerivativeOf(OneDnnRelu relu) {
        reluBefore = relu;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        assertInputSet(false);
        if (!covers(input)) {
            return super.activate(training, workspaces);
        }
        INDArray source = OneDnn.toChannelsLast(input, workspaces, ArrayType.FF_WORKING_MEM);
        Primitives plan = primitivesFor(source.shape());
        INDArray output = OneDnn.channelsLast(workspaces, ArrayType.ACTIVATIONS, plan.outputShape);
        plan.forward(source, output, training, stream());
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        assertInputSet(true);
        if (!covers(input) || epsilon.dataType() != DataType.FLOAT) {
            return super.backpropGradient(epsilon, workspaces);
        }
        INDArray source = OneDnn.toChannelsLast(input, workspaces, ArrayType.BP_WORKING_MEM);
        Primitives plan = primitivesFor(source.shape());
        // The flatten before the dense layers hands the output gradient back in NCHW: one small copy.
        INDArray delta = OneDnn.toChannelsLast(epsilon, workspaces, ArrayType.BP_WORKING_MEM);
        INDArray inputGradient = OneDnn.channelsLast(workspaces, ArrayType.ACTIVATION_GRAD, source.shape());
        if (plan.backward(source, delta, inputGradient, reluBefore != null, stream())) {
            reluBefore.derivativeAlreadyApplied(inputGradient);
        }
        return new Pair<>(new DefaultGradient(), inputGradient);
    }

    private boolean covers(INDArray array) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer configuration = layerConf();
        return array.dataType() == DataType.FLOAT
                && array.rank() == 4
                && configuration.getPoolingType() == PoolingType.MAX
                && configuration.getConvolutionMode() != ConvolutionMode.Same
                && configuration.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && Arrays.stream(configuration.getDilation()).allMatch(d -> d == 1)
                && configuration.getIDropout() == null;
    }

    private Primitives primitivesFor(long[] inputShape) {
        if (primitives == null || !Arrays.equals(primitives.inputShape, inputShape)) {
            org.deeplearning4j.nn.conf.layers.SubsamplingLayer configuration = layerConf();
            primitives = new Primitives(
                    inputShape, configuration.getKernelSize(), configuration.getStride(), configuration.getPadding());
        }
        return primitives;
    }

    private stream stream() {
        if (stream == null) {
            stream = new stream(OneDnn.CPU);
        }
        return stream;
    }

    /** The pooling primitives for one input shape, with the workspace that remembers where the maxima were. */
    private static final class Primitives {
        final long[] inputShape;
        final long[] outputShape;

        private final pooling_forward.primitive_desc trainingPlan;
        private final pooling_forward training;
        private final pooling_backward backward;
        private pooling_forward inference; // made on first use: networks that only train never need it
        private final Operand source;
        private final Operand destination;
        private final Operand delta;
        private final Operand inputGradient;
        private final memory workspace;
        private final MaxPoolingScatter scatter; // null where it does not cover the windows: oneDNN's pass then
        private final IntMemoryMap trainingArgs = new IntMemoryMap();
        private final IntMemoryMap inferenceArgs = new IntMemoryMap();
        private final IntMemoryMap backwardArgs = new IntMemoryMap();
        private final long[] strides;
        private final long[] kernel;
        private final long[] padding;
        private long workspaceSourceAddress; // the input the workspace was filled from, 0 when it was used up
        private INDArray trainingOutput; // what the training pass that filled the workspace wrote

        Primitives(long[] inputShape, int[] kernelSize, int[] stride, int[] pad) {
            this.inputShape = inputShape.clone();
            this.kernel = new long[] {kernelSize[0], kernelSize[1]};
            this.strides = new long[] {stride[0], stride[1]};
            this.padding = new long[] {pad[0], pad[1]};
            // DL4J's Truncate mode: windows that would run past the padded edge are dropped. oneDNN divides the same
            // way, so the right-hand padding is the left-hand one.
            this.outputShape = new long[] {
                inputShape[0],
                inputShape[1],
                (inputShape[2] + 2 * padding[0] - kernel[0]) / strides[0] + 1,
                (inputShape[3] + 2 * padding[1] - kernel[1]) / strides[1] + 1
            };
            memory.desc sourceLayout = OneDnn.activations(inputShape);
            memory.desc destinationLayout = OneDnn.activations(outputShape);
            trainingPlan = new pooling_forward.primitive_desc(
                    new pooling_forward.desc(
                            forward_training,
                            pooling_max,
                            sourceLayout,
                            destinationLayout,
                            strides,
                            kernel,
                            padding,
                            padding),
                    OneDnn.CPU);
            training = new pooling_forward(trainingPlan);
            backward = new pooling_backward(new pooling_backward.primitive_desc(
                    new pooling_backward.desc(
                            pooling_max, sourceLayout, destinationLayout, strides, kernel, padding, padding),
                    OneDnn.CPU,
                    trainingPlan));
            source = Operand.inPlace(sourceLayout);
            destination = Operand.inPlace(destinationLayout);
            delta = Operand.inPlace(destinationLayout);
            inputGradient = Operand.inPlace(sourceLayout);
            workspace = new memory(trainingPlan.workspace_desc(), OneDnn.CPU);
            scatter = MaxPoolingScatter.covers(kernel, strides, padding, trainingPlan.workspace_desc(), outputShape)
                    ? new MaxPoolingScatter(inputShape, outputShape, kernel, strides)
                    : null;
            trainingArgs.put(DNNL_ARG_SRC, source.primitiveMemory());
            trainingArgs.put(DNNL_ARG_DST, destination.primitiveMemory());
            trainingArgs.put(DNNL_ARG_WORKSPACE, workspace);
            inferenceArgs.put(DNNL_ARG_SRC, source.primitiveMemory());
            inferenceArgs.put(DNNL_ARG_DST, destination.primitiveMemory());
            backwardArgs.put(DNNL_ARG_DIFF_DST, delta.primitiveMemory());
            backwardArgs.put(DNNL_ARG_WORKSPACE, workspace);
            backwardArgs.put(DNNL_ARG_DIFF_SRC, inputGradient.primitiveMemory());
        }

        void forward(INDArray input, INDArray output, boolean forTraining, stream stream) {
            source.bind(input);
            destination.bind(output);
            if (forTraining) {
                training.execute(stream, trainingArgs);
                workspaceSourceAddress = OneDnn.addressOf(input);
                trainingOutput = output;
            } else {
                inference().execute(stream, inferenceArgs);
            }
        }

        /**
         * Writes the input gradient; with {@code throughRelu}, applies the derivative of the ReLU whose outputs the
         * input holds where it can.
         *
         * @return whether it applied that derivative
         */
        boolean backward(
                INDArray input,
                INDArray outputGradient,
                INDArray inputGradientArray,
                boolean throughRelu,
                stream stream) {
            // Backpropagation follows the training pass over the same input, whose workspace says where the maxima
            // are. Without one (a second backpropagation, or an input that came in another layout and was copied
            // again), the forward pass runs again into scratch memory to fill it.
            if (workspaceSourceAddress != OneDnn.addressOf(input)) {
                forward(input, scratchOutput(), true, stream);
            }
            workspaceSourceAddress = 0;
            if (scatter != null) {
                scatter.backward(outputGradient, workspace, throughRelu ? trainingOutput : null, inputGradientArray);
                trainingOutput = null;
                return throughRelu;
            }
            delta.bind(outputGradient);
            inputGradient.bind(inputGradientArray);
            backward.execute(stream, backwardArgs);
            return false;
        }

        private pooling_forward inference() {
            if (inference == null) {
                inference = new pooling_forward(new pooling_forward.primitive_desc(
                        new pooling_forward.desc(
                                forward_inference,
                                pooling_max,
                                trainingPlan.src_desc(),
                                trainingPlan.dst_desc(),
                                strides,
                                kernel,
                                padding,
                                padding),
                        OneDnn.CPU));
            }
            return inference;
        }

        private INDArray scratchOutput() {
            return org.nd4j.linalg.factory.Nd4j.createUninitializedDetached(
                            DataType.FLOAT, outputShape[0], outputShape[2], outputShape[3], outputShape[1])
                    .permute(0, 3, 1, 2);
        }
    }
}
