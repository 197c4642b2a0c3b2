package io.mnistspark.output;

/** Writing or moving the output failed; the message names the path. */
public class OutputWriteException extends RuntimeException {
    public OutputWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
