package io.mnistspark.job;

import io.mnistspark.digits.Classification;
import java.io.Serializable;

/**
 * What became of one input of {@code predict}: its classification, or the problem that kept it from being scored.
 *
 * @param position       where the file came in the listing of the inputs
 * @param file           the file as the person named it (for files found in a folder: the folder as named, then the name)
 * @param classification the model's answer; null when the file failed
 * @param problem        the message naming the file, the line and the problem; null when the file was scored
 */
public record FileOutcome(int position, String file, Classification classification, String problem)
        implements Serializable {

    static FileOutcome scored(int position, String file, Classification classification) {
        return new FileOutcome(position, file, classification, null);
    }

    static FileOutcome failed(int position, String file, String problem) {
        return new FileOutcome(position, file, null, problem);
    }

    public boolean isScored() {
        return classification != null;
    }
}
