package dev.whittle.worker.datasets;

/** A data file that does not hold what its format says: the message names the line and the problem. */
public class InvalidDatasetException extends RuntimeException {
    public InvalidDatasetException(String message) {
        super(message);
    }
}
