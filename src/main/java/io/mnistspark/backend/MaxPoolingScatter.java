package io.mnistspark.backend;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling's backward pass over windows that do not overlap, in Java: each output's gradient goes to the input
 * position the forward pass took its maximum from, read from oneDNN's workspace, and every other input gets zero.
 * Optionally it applies the ReLU in front of the pooling as it goes: a maximum of ReLU outputs is positive exactly when
 * the ReLU passes a gradient there, so the ReLU's own pass over the (four times larger) input gradient is not needed.
 *
 * <p>Why: in the reference CNN at batch 200 on one thread, oneDNN's pooling backward primitive took 4.1-5.3 ms for
 * the first pooling (200 x 20 x 23 x 23 in) and the ReLU's backward pass over the same 2.1 million values another
 * 2.5 ms (oneDNN's verbose log). In a network, one training epoch under Java Flight Recorder each way, the two
 * poolings' backward passes and the ReLUs' in front of them took 0.28 of the convolutions' time with oneDNN's
 * primitives and 0.13 with this pass (one run each, on a machine whose speed moved from run to run, hence the ratio).
 *
 * <p>Arrays are the kernels' channels-last ones ({@link OneDnn#channelsLast}); the workspace is oneDNN's one byte per
 * output, in the outputs' order, giving the maximum's place in its window row by row. {@link #covers} says when all of
 * that holds.
 */
final class MaxPoolingScatter {

    private final long[] inputShape; // NCHW
    private final long[] outputShape;
    private final int kernelWidth;
    private final int[] strides;
    private byte[] places = new byte[0]; // scratch, kept between steps
    private float[] outputGradients = new float[0];
    private float[] maxima = new float[0];
    private float[] imageGradients = new float[0];

    MaxPoolingScatter(long[] inputShape, long[] outputShape, long[] kernel, long[] strides) {
        this.inputShape = inputShape.clone();
        this.outputShape = outputShape.clone();
        this.kernelWidth = Math.toIntExact(kernel[1]);
        this.strides = new int[] {Math.toIntExact(strides[0]), Math.toIntExact(strides[1])};
    }

    /**
     * Whether this pass computes oneDNN's backward pooling for these windows: no padding, windows that do not overlap
     * (so no input gets two gradients), and a workspace of one byte per output in the outputs' channels-last order.
     */
    static boolean covers(long[] kernel, long[] strides, long[] padding, memory.desc workspace, long[] outputShape) {
        boolean apart = strides[0] >= kernel[0] && strides[1] >= kernel[1];
        boolean unpadded = padding[0] == 0 && padding[1] == 0;
        return apart
                && unpadded
                && workspace.equals(new memory.desc(outputShape, memory.data_type.u8, memory.format_tag.nhwc));
    }

    /**
     * Writes the input gradient of one backward pass.
     *
     * @param workspace oneDNN's workspace, filled by the training forward pass
     * @param output that forward pass's output, or null: with it, the derivative of the ReLU whose outputs the
     *     pooling's input holds is applied too (the maximum, and so the ReLU's output where the gradient goes, is
     *     positive exactly when the ReLU passes a gradient)
     */
    void backward(INDArray outputGradient, memory workspace, INDArray output, INDArray inputGradient) {
        int outputs = Math.toIntExact(outputGradient.length());
        if (places.length != outputs) {
            places = new byte[outputs];
            outputGradients = new float[outputs];
            maxima = new float[outputs];
            imageGradients = new float[Math.toIntExact(inputShape[1] * inputShape[2] * inputShape[3])];
        }
        new BytePointer(workspace.get_data_handle())
                .capacity(outputs)
                .limit(outputs)
                .asBuffer()
                .get(0, places, 0, outputs);
        OneDnn.elements(outputGradient).asBuffer().get(0, outputGradients, 0, outputs);
        if (output != null) {
            OneDnn.elements(output).asBuffer().get(0, maxima, 0, outputs);
            keepWherePositive(outputGradients, maxima, outputs);
        }
        scatter(OneDnn.elements(inputGradient).asBuffer());
    }

    /**
     * Zeroes {@code gradients} where {@code maxima}, ReLU outputs (so positive, zero or oneDNN's -0 for negative
     * inputs), are not positive.
     */
    static void keepWherePositive(float[] gradients, float[] maxima, int length) {
        // Bit arithmetic rather than a comparison: a branch on it mispredicted often enough to cost more than the
        // scatter itself (Java Flight Recorder, in a network).
        for (int i = 0; i < length; i++) {
            int magnitude = Float.floatToRawIntBits(maxima[i]) & Integer.MAX_VALUE;
            int keep = -magnitude >> 31; // all ones for a positive maximum, zero for 0 and -0
            gradients[i] = Float.intBitsToFloat(Float.floatToRawIntBits(gradients[i]) & keep);
        }
    }

    /**
     * Writes each image's input gradient in a Java array the size of one image, which stays in the cache, and copies
     * it out in one piece.
     */
    private void scatter(FloatBuffer inputGradient) {
        // Not element by element into the native buffer: that loop ran ~4x slower in a network than in a harness (Java
        // Flight Recorder: its index checks were not inlined there); and not through an array of the whole batch,
        // which made three passes over 8.5 MB at batch 200 where this makes one.
        int batch = Math.toIntExact(inputShape[0]);
        int channels = Math.toIntExact(inputShape[1]);
        int rowLength = Math.toIntExact(inputShape[3]) * channels; // floats in one row of the channels-last input
        int imageLength = Math.toIntExact(inputShape[2]) * rowLength;
        int outputRows = Math.toIntExact(outputShape[2]);
        int outputColumns = Math.toIntExact(outputShape[3]);
        int output = 0;
        for (int image = 0; image < batch; image++) {
            Arrays.fill(imageGradients, 0f);
            for (int row = 0; row < outputRows; row++) {
                int windowRow = row * strides[0] * rowLength;
                for (int column = 0; column < outputColumns; column++) {
                    int window = windowRow + column * strides[1] * channels;
                    for (int channel = 0; channel < channels; channel++, output++) {
                        int place = places[output] & 0xFF;
                        int at =
                                window + (place / kernelWidth) * rowLength + (place % kernelWidth) * channels + channel;
                        imageGradients[at] = outputGradients[output];
                    }
                }
            }
            inputGradient.put(image * imageLength, imageGradients, 0, imageLength);
        }
    }
}
