package io.mnistspark.digits;

import java.io.Serializable;

/**
 * The model's answer for one digit.
 *
 * @param digit         the digit with the highest probability
 * @param confidence    that highest probability
 * @param probabilities the ten class probabilities, digit 0 first
 */
@SuppressWarnings("ArrayRecordComponent") // bulk data passed along, never compared or hashed: identity equals is enough
public record Classification(int digit, float confidence, float[] probabilities) implements Serializable {

    static Classification of(float[] probabilities) {
        int best = 0;
        for (int d = 1; d < probabilities.length; d++) {
            if (probabilities[d] > probabilities[best]) {
                best = d;
            }
        }
        return new Classification(best, probabilities[best], probabilities);
    }
}
