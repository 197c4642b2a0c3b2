package io.mnistspark.backend;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

import java.util.Arrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a DL4J {@link org.deeplearning4j.nn.layers.convolution.ConvolutionLayer} on oneDNN primitives that are built
 * once per input shape and kept, in place of DL4J's own oneDNN helper.
 *
 * <p>Why: DL4J's helper goes through libnd4j's {@code conv2d} and {@code conv2d_bp} ops, which set up their oneDNN
 * primitives again on every call, reorder every array between DL4J's layout and oneDNN's blocked one both ways, and
 * always compute the gradient of the layer's input, which for the first layer nothing reads (3-6 ms of a ~52 ms step at
 * batch 64). With this helper two training threads at batch 64 went from 2,513 to 3,522 images/s (docs/performance.md).
 *
 * <p>Activations and their gradients come and go channels-last ({@link OneDnn#channelsLast}): NCHW-shaped arrays
 * that the primitives read and write in place, so the layers of the convolution stack hand them on without a reorder
 * (an input in another layout is copied once). Weights keep DL4J's layout, [out, in, kH, kW]; the blocked copies the
 * primitives work on live in memory of this helper's own. Anything it does not cover (another data type or
 * format, Same mode, dilation, no bias) it declines by returning null, and the layer runs DL4J's built-in code instead.
 */
@SuppressWarnings("VariableNameSameAsType") // oneDNN's types are lower-case (stream, memory): named after the type
final class OneDnnConvolution extends AlwaysSupportedHelper implements ConvolutionHelper {

    private final boolean computesInputGradient;
    private final boolean appliesRelu;
    private final stream stream = new stream(OneDnn.CPU);
    private Primitives primitives;
    private INDArray lastOutput; // what preOutput returned last, null when it declined

    /**
     * @param computesInputGradient false for a network's first layer: its input gradient would be thrown away, so
     *                              backpropagation returns null for it instead
     * @param appliesRelu           true for a layer whose activation is DL4J's plain ReLU: the forward pass applies
     *                              it as it writes the output ({@link #preOutput} returns activations). Applying the
     *                              ReLU once more changes nothing, and its gradient is the same whether read from the
     *                              pre-activations or the activations (both are positive in the same places), so
     *                              DL4J's own code stays right on these outputs; {@link OneDnnConvolutionLayer} skips
     *                              the second pass
     */
    OneDnnConvolution(boolean computesInputGradient, boolean appliesRelu) {
        this.computesInputGradient = computesInputGradient;
        this.appliesRelu = appliesRelu;
    }

    /** Whether {@link #preOutput} returns the layer's activations, its ReLU applied. */
    boolean appliesRelu() {
        return appliesRelu;
    }

    /** Whether {@code output} is what this helper's last {@link #preOutput} wrote (it may have declined). */
    @SuppressWarnings("ReferenceEquality") // the very array, not an equal one
    boolean wrote(INDArray output) {
        return output == lastOutput;
    }

    @Override
    public INDArray preOutput(
            INDArray input,
            INDArray weights,
            INDArray bias,
            int[] kernel,
            int[] strides,
            int[] pad,
            AlgoMode mode,
            FwdAlgo fwdAlgo,
            ConvolutionMode convolutionMode,
            int[] dilation,
            CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        lastOutput = null;
        if (!covers(input, bias, convolutionMode, dilation, format)) {
            return null;
        }
        input = OneDnn.toChannelsLast(input, workspaceMgr, ArrayType.FF_WORKING_MEM);
        weights = OneDnn.dense(weights);
        Primitives plan = primitivesFor(input, weights, strides, pad);
        INDArray output = OneDnn.channelsLast(workspaceMgr, ArrayType.ACTIVATIONS, plan.outputShape);
        plan.forward(input, weights, OneDnn.dense(bias), output, stream);
        lastOutput = output;
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(
            INDArray input,
            INDArray weights,
            INDArray bias,
            INDArray delta,
            int[] kernel,
            int[] strides,
            int[] pad,
            INDArray biasGradView,
            INDArray weightGradView,
            IActivation afn,
            AlgoMode mode,
            BwdFilterAlgo bwdFilterAlgo,
            BwdDataAlgo bwdDataAlgo,
            ConvolutionMode convolutionMode,
            int[] dilation,
            CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        // The gradients are written straight into DL4J's gradient views, so those must be dense.
        if (!covers(input, biasGradView, convolutionMode, dilation, format)
                || !OneDnn.isDense(weightGradView)
                || !OneDnn.isDense(biasGradView)) {
            return null;
        }
        input = OneDnn.toChannelsLast(input, workspaceMgr, ArrayType.BP_WORKING_MEM);
        weights = OneDnn.dense(weights);
        delta = OneDnn.toChannelsLast(delta, workspaceMgr, ArrayType.BP_WORKING_MEM);
        Primitives plan = primitivesFor(input, weights, strides, pad);
        plan.backwardWeights(input, delta, weightGradView, biasGradView, stream);
        INDArray inputGradient = null;
        if (computesInputGradient) {
            inputGradient = OneDnn.channelsLast(workspaceMgr, ArrayType.ACTIVATION_GRAD, input.shape());
            plan.backwardData(delta, weights, inputGradient, stream);
        }
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        gradient.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
        return new Pair<>(gradient, inputGradient);
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        return afn.getActivation(z, training);
    }

    private static boolean covers(
            INDArray input, INDArray bias, ConvolutionMode mode, int[] dilation, CNN2DFormat format) {
        return input.dataType() == DataType.FLOAT
                && input.rank() == 4
                && bias != null
                && format == CNN2DFormat.NCHW
                && mode != ConvolutionMode.Same
                && dilation[0] == 1
                && dilation[1] == 1;
    }

    private Primitives primitivesFor(INDArray input, INDArray weights, int[] strides, int[] pad) {
        if (primitives == null || !primitives.fits(input, weights)) {
            primitives =
                    new Primitives(input.shape(), weights.shape(), strides, pad, computesInputGradient, appliesRelu);
        }
        return primitives;
    }

    /** The three primitives of one convolution for one input shape, with the memory they work in. */
    private static final class Primitives {
        private final long[] inputShape;
        private final long[] weightShape;
        final long[] outputShape;

        private final convolution_forward forward;
        private final Operand source;
        private final Operand weights;
        private final Operand bias;
        private final Operand destination;
        private final IntMemoryMap forwardArgs = new IntMemoryMap();

        private final convolution_backward_weights backwardWeights;
        private final Operand sourceForWeights;
        private final Operand deltaForWeights;
        private final Operand weightGradient;
        private final Operand biasGradient;
        private final IntMemoryMap backwardWeightsArgs = new IntMemoryMap();

        private final convolution_backward_data backwardData; // null when the input gradient is not computed
        private final Operand deltaForData;
        private final Operand weightsForData;
        private final Operand inputGradient;
        private final IntMemoryMap backwardDataArgs = new IntMemoryMap();

        Primitives(
                long[] inputShape,
                long[] weightShape,
                int[] strides,
                int[] pad,
                boolean withInputGradient,
                boolean withRelu) {
            this.inputShape = inputShape.clone();
            this.weightShape = weightShape.clone();
            this.outputShape = new long[] {
                inputShape[0],
                weightShape[0],
                outputSize(inputShape[2], weightShape[2], strides[0], pad[0]),
                outputSize(inputShape[3], weightShape[3], strides[1], pad[1])
            };
            long[] stride = {strides[0], strides[1]};
            long[] padding = {pad[0], pad[1]};
            // Activations in channels-last layout, the one the arrays already have, weights in whichever layout
            // oneDNN picks (format_tag.any), reordered from DL4J's. Channels-last was 8% faster a step than letting
            // oneDNN pick for the activations too (its blocked layout pads 20 channels to 32, and its forward kernel
            // for
            // channels-last is the faster one here): 1,897 -> 2,050 images/s on one thread at batch 64.
            memory.desc channelsLastSource = layout(inputShape, memory.format_tag.nhwc);
            memory.desc anyWeights = layout(weightShape, memory.format_tag.any);
            memory.desc channelsLastDestination = layout(outputShape, memory.format_tag.nhwc);
            memory.desc biasLayout = layout(new long[] {weightShape[0]}, memory.format_tag.x);

            convolution_forward.desc forwardDescription = new convolution_forward.desc(
                    forward_training,
                    convolution_direct,
                    channelsLastSource,
                    anyWeights,
                    biasLayout,
                    channelsLastDestination,
                    stride,
                    padding,
                    padding);
            // The backward primitives take the plain convolution as their hint; the ReLU is the layer's business.
            convolution_forward.primitive_desc forwardPlan =
                    new convolution_forward.primitive_desc(forwardDescription, OneDnn.CPU);
            convolution_forward.primitive_desc executedPlan = withRelu
                    ? new convolution_forward.primitive_desc(forwardDescription, reluAfterwards(), OneDnn.CPU)
                    : forwardPlan;
            forward = new convolution_forward(executedPlan);
            source = Operand.input(OneDnn.activations(inputShape), executedPlan.src_desc());
            weights = Operand.input(dl4jWeights(weightShape), executedPlan.weights_desc());
            bias = Operand.input(biasLayout, biasLayout);
            destination = Operand.output(OneDnn.activations(outputShape), executedPlan.dst_desc());
            forwardArgs.put(DNNL_ARG_SRC, source.primitiveMemory());
            forwardArgs.put(DNNL_ARG_WEIGHTS, weights.primitiveMemory());
            forwardArgs.put(DNNL_ARG_BIAS, bias.primitiveMemory());
            forwardArgs.put(DNNL_ARG_DST, destination.primitiveMemory());

            // Without an input gradient the output gradient's copy serves the weights' gradient alone, so oneDNN may
            // pick its layouts: for the first layer (1 input channel) its blocked kernel took 4.9 ms a step at batch
            // 200 against 9.0 in channels-last, for the same one reorder of the output gradient. With an input
            // gradient, channels-last needs no copy at all (a reorder cost what a blocked kernel saved).
            memory.desc weightsPlanSource =
                    withInputGradient ? channelsLastSource : layout(inputShape, memory.format_tag.any);
            memory.desc weightsPlanDestination =
                    withInputGradient ? channelsLastDestination : layout(outputShape, memory.format_tag.any);
            convolution_backward_weights.primitive_desc weightsPlan = new convolution_backward_weights.primitive_desc(
                    new convolution_backward_weights.desc(
                            convolution_direct,
                            weightsPlanSource,
                            anyWeights,
                            biasLayout,
                            weightsPlanDestination,
                            stride,
                            padding,
                            padding),
                    OneDnn.CPU,
                    forwardPlan);
            backwardWeights = new convolution_backward_weights(weightsPlan);
            sourceForWeights = source.wants(weightsPlan.src_desc())
                    ? source
                    : Operand.input(OneDnn.activations(inputShape), weightsPlan.src_desc());
            deltaForWeights = Operand.input(OneDnn.activations(outputShape), weightsPlan.diff_dst_desc());
            weightGradient = Operand.output(dl4jWeights(weightShape), weightsPlan.diff_weights_desc());
            biasGradient = Operand.output(biasLayout, biasLayout);
            backwardWeightsArgs.put(DNNL_ARG_SRC, sourceForWeights.primitiveMemory());
            backwardWeightsArgs.put(DNNL_ARG_DIFF_DST, deltaForWeights.primitiveMemory());
            backwardWeightsArgs.put(DNNL_ARG_DIFF_WEIGHTS, weightGradient.primitiveMemory());
            backwardWeightsArgs.put(DNNL_ARG_DIFF_BIAS, biasGradient.primitiveMemory());

            if (!withInputGradient) {
                backwardData = null;
                deltaForData = weightsForData = inputGradient = null;
                return;
            }
            convolution_backward_data.primitive_desc dataPlan = new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(
                            convolution_direct,
                            channelsLastSource,
                            anyWeights,
                            channelsLastDestination,
                            stride,
                            padding,
                            padding),
                    OneDnn.CPU,
                    forwardPlan);
            backwardData = new convolution_backward_data(dataPlan);
            deltaForData = deltaForWeights.wants(dataPlan.diff_dst_desc())
                    ? deltaForWeights
                    : Operand.input(OneDnn.activations(outputShape), dataPlan.diff_dst_desc());
            weightsForData = Operand.input(dl4jWeights(weightShape), dataPlan.weights_desc());
            inputGradient = Operand.output(OneDnn.activations(inputShape), dataPlan.diff_src_desc());
            backwardDataArgs.put(DNNL_ARG_DIFF_DST, deltaForData.primitiveMemory());
            backwardDataArgs.put(DNNL_ARG_WEIGHTS, weightsForData.primitiveMemory());
            backwardDataArgs.put(DNNL_ARG_DIFF_SRC, inputGradient.primitiveMemory());
        }

        boolean fits(INDArray input, INDArray weights) {
            return Arrays.equals(inputShape, input.shape()) && Arrays.equals(weightShape, weights.shape());
        }

        void forward(INDArray input, INDArray weightArray, INDArray biasArray, INDArray output, stream stream) {
            source.bind(input).load(stream);
            weights.bind(weightArray).load(stream);
            bias.bind(biasArray);
            destination.bind(output);
            forward.execute(stream, forwardArgs);
            destination.store(stream);
        }

        void backwardWeights(
                INDArray input, INDArray delta, INDArray weightGradientView, INDArray biasGradientView, stream stream) {
            // Backpropagation follows the forward pass of the same input: when both primitives want the same layout,
            // the copy that pass reordered is still here. Once used, it is forgotten, so a second backpropagation
            // without a forward pass in between reorders the input afresh.
            if (!sourceForWeights.bind(input).holdsLoaded()) {
                sourceForWeights.load(stream);
            }
            deltaForWeights.bind(delta).load(stream);
            weightGradient.bind(weightGradientView);
            biasGradient.bind(biasGradientView);
            backwardWeights.execute(stream, backwardWeightsArgs);
            weightGradient.store(stream);
            sourceForWeights.forget();
        }

        void backwardData(INDArray delta, INDArray weightArray, INDArray inputGradientArray, stream stream) {
            if (deltaForData != deltaForWeights) {
                deltaForData.bind(delta).load(stream);
            }
            weightsForData.bind(weightArray).load(stream);
            inputGradient.bind(inputGradientArray);
            backwardData.execute(stream, backwardDataArgs);
            inputGradient.store(stream);
        }

        /** The ReLU as a post-op: applied to each output as the convolution writes it, no pass of its own. */
        private static primitive_attr reluAfterwards() {
            post_ops relu = new post_ops();
            relu.append_eltwise(1f, eltwise_relu, 0f, 0f);
            primitive_attr attributes = new primitive_attr();
            attributes.set_post_ops(relu);
            return attributes;
        }

        private static long outputSize(long in, long kernel, int stride, int pad) {
            return (in + 2L * pad - kernel) / stride + 1;
        }

        /** How DL4J holds a convolution's weights and their gradient: [out, in, kH, kW]. */
        private static memory.desc dl4jWeights(long[] shape) {
            return layout(shape, memory.format_tag.oihw);
        }

        private static memory.desc layout(long[] shape, memory.format_tag tag) {
            return OneDnn.floats(shape, tag);
        }
    }
}
