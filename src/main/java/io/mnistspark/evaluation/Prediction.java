package io.mnistspark.evaluation;

import java.io.Serializable;

/**
 * The model's answer for one test image: the row kind evaluation writes to a run's {@code predictions/} and
 * {@code misclassified/} tables, and the one {@code output.RunSamples} reads back from them.
 *
 * @param index         0-based position of the image in the test IDX file
 * @param label         the true digit
 * @param predicted     the digit with the highest probability
 * @param confidence    that highest probability
 * @param probabilities the ten class probabilities
 * @param pixels        the 784 grey values 0-255, row-major; kept only for misclassified images (else null until
 *                      read from the test IDX file)
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record Prediction(int index, int label, int predicted, float confidence, float[] probabilities, int[] pixels)
        implements Serializable {

    public boolean isCorrect() {
        return label == predicted;
    }

    public Prediction withPixels(int[] grey) {
        return new Prediction(index, label, predicted, confidence, probabilities, grey);
    }

    /** "predicted P, actual A", as the pictures and the web page label a test digit. */
    public String caption() {
        return "predicted " + predicted + ", actual " + label;
    }
}
