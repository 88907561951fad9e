package dev.whittle.worker.models;

/** A model or dataset name that is already taken. */
public class DuplicateNameException extends RuntimeException {
    public DuplicateNameException(String message) {
        super(message);
    }
}
