package io.mnistspark.digits;

/**
 * Input a person gave the prediction commands is unusable (a digit CSV, a run folder); the message names the path and
 * the problem, and the command exits with the bad-input status.
 */
public class PredictionInputException extends RuntimeException {

    public PredictionInputException(String message) {
        super(message);
    }

    public PredictionInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
