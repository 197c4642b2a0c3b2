package io.mnistspark.output;

/**
 * A test image as a run's tables describe it.
 *
 * @param index         0-based position of the image in the test IDX file
 * @param actual        the true digit (the label)
 * @param predicted     the model's digit
 * @param confidence    the probability of {@code predicted}
 * @param probabilities the ten class probabilities
 * @param pixels        the 784 grey values 0-255, row-major; null until read (only misclassified/ stores them)
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record TestDigit(int index, int actual, int predicted, float confidence, float[] probabilities, int[] pixels) {

    public boolean isCorrect() {
        return actual == predicted;
    }

    public TestDigit withPixels(int[] grey) {
        return new TestDigit(index, actual, predicted, confidence, probabilities, grey);
    }

    /** "predicted P, actual A", as the pictures and the web page label a test digit. */
    public String caption() {
        return "predicted " + predicted + ", actual " + actual;
    }
}
