package io.mnistspark.output;

/** The output folder exists and overwriting was not asked for. */
public class OutputExistsException extends RuntimeException {
    public OutputExistsException(String message) {
        super(message);
    }
}
