package io.mnistspark.evaluation;

import java.io.Serializable;

/**
 * The model's answer for one test image.
 *
 * @param index         0-based position of the image in the test IDX file
 * @param label         the true digit
 * @param predicted     the digit with the highest probability
 * @param confidence    that highest probability
 * @param probabilities the ten class probabilities
 * @param pixels        the 784 grey values 0-255, row-major, kept only for misclassified images (else null)
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record Prediction(int index, int label, int predicted, float confidence, float[] probabilities, int[] pixels)
        implements Serializable {

    public boolean isCorrect() {
        return label == predicted;
    }
}
