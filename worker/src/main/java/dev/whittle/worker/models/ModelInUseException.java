package dev.whittle.worker.models;

/** A model that cannot be deleted now: a job that has not ended uses it, or another model was made from it. */
public class ModelInUseException extends RuntimeException {
    public ModelInUseException(String message) {
        super(message);
    }
}
