package dev.whittle.engine.merge;

/** Two models that cannot be merged, with the tensor (or config field) where they differ. */
public final class MergeMismatch extends IllegalArgumentException {

    private final String tensor;

    public MergeMismatch(String tensor, String message) {
        super(message);
        this.tensor = tensor;
    }

    /** The tensor name, or {@code config.json:<field>} for a config difference. */
    public String tensor() {
        return tensor;
    }
}
