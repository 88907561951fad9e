package dev.whittle.engine.io;

import java.nio.file.Path;

/**
 * A model file that cannot be used as it is: a corrupt safetensors header, an index that disagrees with its
 * shards, a config.json with a missing or ill-typed field. The message names the file and, where there is one,
 * the tensor or field; {@link #file()} and {@link #item()} give them to callers that report errors structurally.
 */
public class ModelFormatException extends RuntimeException {

    private final transient Path file;
    private final String item;

    public ModelFormatException(Path file, String item, String problem) {
        this(file, item, problem, null);
    }

    public ModelFormatException(Path file, String item, String problem, Throwable cause) {
        super(file + (item == null ? "" : ": " + item) + ": " + problem, cause);
        this.file = file;
        this.item = item;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor or field at fault, or null when the problem concerns the whole file. */
    public String item() {
        return item;
    }
}
