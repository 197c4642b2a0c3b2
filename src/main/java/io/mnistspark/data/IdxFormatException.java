package io.mnistspark.data;

/** An MNIST file is missing, unreadable or not the IDX content it should be; the message names the file. */
public class IdxFormatException extends RuntimeException {
    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
