package dev.whittle.worker.models;

/**
 * A registered model file that cannot be served or loaded as it was registered: gone, no longer a regular file,
 * a link leading out of the model roots, or different bytes (another size or SHA-256) than at registration.
 */
public class ModelFileUnavailableException extends RuntimeException {

    private final boolean changed;

    ModelFileUnavailableException(String message, boolean changed) {
        super(message);
        this.changed = changed;
    }

    /** True when the file is there but its bytes differ from those registered; false when it is not there (or leaves the roots). */
    public boolean changed() {
        return changed;
    }
}
