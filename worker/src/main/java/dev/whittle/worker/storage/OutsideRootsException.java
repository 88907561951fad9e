package dev.whittle.worker.storage;

/** A requested path that is not a usable file or folder inside the configured roots; the message says why. */
public class OutsideRootsException extends RuntimeException {
    public OutsideRootsException(String message) {
        super(message);
    }
}
