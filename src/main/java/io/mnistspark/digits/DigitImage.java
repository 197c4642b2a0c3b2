package io.mnistspark.digits;

import io.mnistspark.data.MnistIdx;

/**
 * One 28x28 digit as the model sees it: 784 grey values in [0, 1], row-major, 0 for background and 1 for the
 * strongest stroke (MNIST's convention: light strokes on black).
 *
 * @param values the 784 grey values in [0, 1]
 * @param scale  how the values were written where the digit came from (a CSV's scale, see {@link DigitCsv})
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record DigitImage(float[] values, Scale scale) {

    /** How a digit's grey values are written down. */
    public enum Scale {
        /** Grey levels 0-255, as in the MNIST files; divided by 255 on reading. */
        GREY_255("0-255"),
        /** Already scaled to 0-1. */
        UNIT("0-1");

        private final String label;

        Scale(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public DigitImage {
        if (values.length != MnistIdx.PIXELS) {
            throw new IllegalArgumentException("a digit has " + MnistIdx.PIXELS + " values, not " + values.length);
        }
    }

    /** A digit from MNIST grey levels 0-255, scaled exactly as {@link io.mnistspark.data.Slice#features()} does. */
    public static DigitImage fromGrey(int[] grey) {
        float[] values = new float[grey.length];
        for (int p = 0; p < grey.length; p++) {
            values[p] = grey[p] / io.mnistspark.data.Slice.MAX_GREY;
        }
        return new DigitImage(values, Scale.GREY_255);
    }

    /** The value at row {@code row}, column {@code column}. */
    public float value(int row, int column) {
        return values[row * MnistIdx.COLUMNS + column];
    }

    /** The grey levels 0-255, rounded. */
    public int[] greyValues() {
        int[] grey = new int[values.length];
        for (int p = 0; p < values.length; p++) {
            grey[p] = Math.round(values[p] * io.mnistspark.data.Slice.MAX_GREY);
        }
        return grey;
    }
}
