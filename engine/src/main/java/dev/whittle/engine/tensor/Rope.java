package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding in the Hugging Face {@code rotate_half} layout: within each head, element {@code i}
 * pairs with element {@code i + headDim/2} (not interleaved pairs). Built from the inverse frequencies (length
 * headDim/2, which the model derives from its config, llama3 scaling included) with cos/sin tables precomputed
 * for positions {@code [0, maxPositions)}.
 */
public final class Rope {

    private final int half;
    private final int maxPositions;
    /** {@code cos[pos * half + i]}, {@code sin[pos * half + i]}. */
    private final float[] cos;
    private final float[] sin;

    public Rope(float[] invFreq, int maxPositions) {
        if (invFreq.length == 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("rope needs a non-empty invFreq and maxPositions > 0, got "
                    + invFreq.length + " and " + maxPositions);
        }
        if ((long) invFreq.length * maxPositions > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rope table too large: " + invFreq.length + " x " + maxPositions);
        }
        this.half = invFreq.length;
        this.maxPositions = maxPositions;
        this.cos = new float[half * maxPositions];
        this.sin = new float[half * maxPositions];
        for (int pos = 0; pos < maxPositions; pos++) {
            for (int i = 0; i < half; i++) {
                // The angle is an fp32 product, as transformers computes it, so long positions round the same way.
                float angle = pos * invFreq[i];
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** The head size this rope rotates: twice the number of inverse frequencies. */
    public int headDim() {
        return 2 * half;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /**
     * Rotates {@code rows} rows of {@code [nHeads * headDim]} in place; row r sits at position {@code startPos + r}:
     * {@code x1' = x1 cos - x2 sin}, {@code x2' = x2 cos + x1 sin} for the halves x1, x2 of each head.
     */
    public void apply(float[] x, int off, int rows, int nHeads, int headDim, int startPos) {
        rotate(x, off, rows, nHeads, headDim, startPos, 1f);
    }

    /** Undoes {@link #apply} (rotation by the negative angle): the backward pass of rope. */
    public void applyInverse(float[] x, int off, int rows, int nHeads, int headDim, int startPos) {
        rotate(x, off, rows, nHeads, headDim, startPos, -1f);
    }

    private void rotate(float[] x, int off, int rows, int nHeads, int headDim, int startPos, float sign) {
        if (headDim != 2 * half) {
            throw new IllegalArgumentException("rope built for head size " + 2 * half + ", applied to " + headDim);
        }
        if (startPos < 0 || startPos + rows > maxPositions) {
            throw new IllegalArgumentException("positions " + startPos + ".." + (startPos + rows - 1)
                    + " outside the rope table [0, " + maxPositions + ")");
        }
        var s = Ops.S;
        for (int r = 0; r < rows; r++) {
            int table = (startPos + r) * half;
            for (int h = 0; h < nHeads; h++) {
                int base = off + (r * nHeads + h) * headDim;
                int i = 0;
                for (int bound = s.loopBound(half); i < bound; i += s.length()) {
                    FloatVector c = FloatVector.fromArray(s, cos, table + i);
                    FloatVector sn = FloatVector.fromArray(s, sin, table + i).mul(sign);
                    FloatVector x1 = FloatVector.fromArray(s, x, base + i);
                    FloatVector x2 = FloatVector.fromArray(s, x, base + half + i);
                    x1.mul(c).sub(x2.mul(sn)).intoArray(x, base + i);
                    x2.mul(c).add(x1.mul(sn)).intoArray(x, base + half + i);
                }
                for (; i < half; i++) {
                    float c = cos[table + i];
                    float sn = sign * sin[table + i];
                    float x1 = x[base + i];
                    float x2 = x[base + half + i];
                    x[base + i] = x1 * c - x2 * sn;
                    x[base + half + i] = x2 * c + x1 * sn;
                }
            }
        }
    }
}
