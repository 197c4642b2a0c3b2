package io.mnistspark.data;

import io.mnistspark.backend.FloatArrays;
import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Consecutive images of one split as raw grey values, with the position of the first one in its file, so every image
 * keeps its 0-based index from the IDX file all the way to the output tables.
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record Slice(int firstIndex, byte[] pixels, byte[] labels) implements Serializable {

    /** Grey values are divided by this to scale them to [0, 1], as the reference notebook did. */
    public static final float MAX_GREY = 255f;

    public int size() {
        return labels.length;
    }

    /** Images {@code [offset, offset + length)} of this slice, copied, with their own first index. */
    public Slice range(int offset, int length) {
        byte[] rangePixels = Arrays.copyOfRange(pixels, offset * MnistIdx.PIXELS, (offset + length) * MnistIdx.PIXELS);
        byte[] rangeLabels = Arrays.copyOfRange(labels, offset, offset + length);
        return new Slice(firstIndex + offset, rangePixels, rangeLabels);
    }

    /**
     * Images {@code order[from]}, ..., {@code order[from + length - 1]} of this slice, copied in that order. Their
     * indices are no longer consecutive, so the result's {@code firstIndex} is -1: for training, not for output.
     */
    public Slice pick(int[] order, int from, int length) {
        byte[] pickedPixels = new byte[length * MnistIdx.PIXELS];
        byte[] pickedLabels = new byte[length];
        for (int i = 0; i < length; i++) {
            int image = order[from + i];
            System.arraycopy(pixels, image * MnistIdx.PIXELS, pickedPixels, i * MnistIdx.PIXELS, MnistIdx.PIXELS);
            pickedLabels[i] = labels[image];
        }
        return new Slice(-1, pickedPixels, pickedLabels);
    }

    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    /** The grey values 0-255 of image {@code i}, row-major. */
    public int[] greyValues(int i) {
        int[] grey = new int[MnistIdx.PIXELS];
        for (int p = 0; p < MnistIdx.PIXELS; p++) {
            grey[p] = Byte.toUnsignedInt(pixels[i * MnistIdx.PIXELS + p]);
        }
        return grey;
    }

    /** Features shaped [n, 1, 28, 28], scaled to [0, 1]. */
    public INDArray features() {
        float[] scaled = new float[pixels.length];
        for (int p = 0; p < pixels.length; p++) {
            scaled[p] = Byte.toUnsignedInt(pixels[p]) / MAX_GREY;
        }
        return FloatArrays.of(scaled, size(), 1, MnistIdx.ROWS, MnistIdx.COLUMNS);
    }

    /** One-hot labels shaped [n, 10]. */
    public INDArray oneHotLabels() {
        float[] oneHot = new float[size() * MnistIdx.CLASSES];
        for (int i = 0; i < size(); i++) {
            oneHot[i * MnistIdx.CLASSES + label(i)] = 1f;
        }
        return FloatArrays.of(oneHot, size(), MnistIdx.CLASSES);
    }

    public DataSet toDataSet() {
        return new DataSet(features(), oneHotLabels());
    }
}
