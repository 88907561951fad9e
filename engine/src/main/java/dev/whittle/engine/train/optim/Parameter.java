package dev.whittle.engine.train.optim;

import java.util.Arrays;

/**
 * One trainable tensor: its values (shared with the model, never copied), its gradient and how the optimiser
 * treats it. A frozen parameter has no gradient array, so the backward pass skips computing it.
 */
public final class Parameter {

    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;
    private final boolean decay;
    private final SparsityMask mask;

    private Parameter(String name, int[] shape, float[] value, boolean trainable, boolean decay, SparsityMask mask) {
        long size = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + d + " in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != value.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size
                    + " values, the array has " + value.length);
        }
        if (mask != null && mask.size() != value.length) {
            throw new IllegalArgumentException(name + ": sparsity mask over " + mask.size() + " entries, tensor has "
                    + value.length);
        }
        this.name = name;
        this.shape = shape.clone();
        this.value = value;
        this.grad = trainable ? new float[value.length] : null;
        this.decay = decay;
        this.mask = mask;
        if (mask != null) {
            mask.zero(value);
        }
    }

    /**
     * A trainable tensor, decayed by the usual convention: weight matrices decay; vectors (norms, biases) and
     * embedding tables (a name containing "embed") do not. {@link #withDecay} overrides it.
     */
    public static Parameter trainable(String name, int[] shape, float[] value) {
        return new Parameter(name, shape, value, true, decaysByConvention(name, shape), null);
    }

    /** The default decay rule of {@link #trainable}. */
    public static boolean decaysByConvention(String name, int[] shape) {
        return shape.length >= 2 && !name.contains("embed");
    }

    /** A tensor that the optimiser never changes and whose gradient is never computed. */
    public static Parameter frozen(String name, int[] shape, float[] value) {
        return new Parameter(name, shape, value, false, false, null);
    }

    /** This parameter with weight decay switched on or off. */
    public Parameter withDecay(boolean decay) {
        return new Parameter(name, shape, value, isTrainable(), decay, mask);
    }

    /** This parameter frozen: no gradient, no update. */
    public Parameter frozen() {
        return new Parameter(name, shape, value, false, false, mask);
    }

    /** This parameter with its pruned entries fixed at zero (the values at those entries are zeroed now). */
    public Parameter withMask(SparsityMask mask) {
        return new Parameter(name, shape, value, isTrainable(), decay, mask);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return value.length;
    }

    /** The live values, shared with the model. */
    public float[] value() {
        return value;
    }

    /** The accumulated gradient, or null when frozen. */
    public float[] grad() {
        return grad;
    }

    public boolean isTrainable() {
        return grad != null;
    }

    public boolean decays() {
        return decay;
    }

    /** The fixed sparsity mask, or null when every entry may change. */
    public SparsityMask mask() {
        return mask;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (isTrainable() ? "" : " frozen") + (decay ? " decay" : "")
                + (mask == null ? "" : " pruned " + mask.prunedCount());
    }
}
