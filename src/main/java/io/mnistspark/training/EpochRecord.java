package io.mnistspark.training;

/**
 * What one epoch of training achieved.
 *
 * @param epoch           1-based epoch number
 * @param loss            mean training loss of the workers' last minibatches in the epoch (parameter averaging reports
 *                        no whole-epoch loss)
 * @param accuracy        accuracy of the averaged model after the epoch, measured on {@code accuracyOn}
 * @param accuracyOn      the data the accuracy was measured on, e.g. "test"
 * @param seconds         wall time of the epoch's training (without the accuracy measurement)
 * @param imagesPerSecond training images per second of wall time
 */
public record EpochRecord(
        int epoch, double loss, double accuracy, String accuracyOn, double seconds, double imagesPerSecond) {

    /** The progress line printed after each epoch. */
    public String progressLine(int epochs) {
        return String.format(
                "epoch %d/%d  loss %.4f  %s accuracy %.4f  %.1f s  %.0f images/s",
                epoch, epochs, loss, accuracyOn, accuracy, seconds, imagesPerSecond);
    }
}
