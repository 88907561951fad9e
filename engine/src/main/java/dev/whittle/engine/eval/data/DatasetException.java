package dev.whittle.engine.eval.data;

/** A dataset that cannot be read as its format says: the message names the file (and line or row) and what is wrong. */
public final class DatasetException extends IllegalArgumentException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
