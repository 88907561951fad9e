package dev.whittle.worker.models;

/** A folder that is not a usable model: the message names the file and what is wrong with it. */
public class InvalidModelFolderException extends RuntimeException {
    public InvalidModelFolderException(String message, Throwable cause) {
        super(message, cause);
    }
}
