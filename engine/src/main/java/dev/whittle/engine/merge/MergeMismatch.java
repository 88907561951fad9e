package dev.whittle.engine.merge;

/**
 * Two models that cannot be merged, with the tensor (or config field) where they differ and which model differs from
 * the first.
 */
public final class MergeMismatch extends IllegalArgumentException {

    private final String tensor;
    private final int model;

    public MergeMismatch(String tensor, int model, String message) {
        super(message);
        this.tensor = tensor;
        this.model = model;
    }

    /** The position, in the folders compared, of the one that differs from the first (the base comes last). */
    public int model() {
        return model;
    }

    /** The tensor name, or {@code config.json:<field>} for a config difference. */
    public String tensor() {
        return tensor;
    }
}
