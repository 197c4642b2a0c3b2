package io.mnistspark.digits;

/** A digit CSV that is not a 28x28 grid of grey values in range; the message names the file, the line and the problem. */
public class DigitCsvException extends PredictionInputException {

    public DigitCsvException(String message) {
        super(message);
    }
}
