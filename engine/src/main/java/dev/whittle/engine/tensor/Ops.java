package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise and element-wise fp32 kernels of the decoder: RMSNorm, softmax, SwiGLU gating, embedding lookup and
 * the small vector helpers around them. Arrays are row-major with offsets; outputs may alias inputs where a
 * method says so. Large calls are split across {@link Parallel}.
 */
public final class Ops {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Below this many elements the work is cheaper than waking another thread. */
    private static final int PARALLEL_MIN = 1 << 15;

    private Ops() {
    }

    // ---------------------------------------------------------------- RMSNorm

    /**
     * {@code out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight} for each of {@code rows} rows of {@code dim}.
     * {@code out} may be {@code x}.
     */
    public static void rmsNorm(int rows, int dim, float[] x, int xOff, float[] weight, int wOff, float eps,
                               float[] out, int outOff) {
        rmsNorm(rows, dim, x, xOff, weight, wOff, eps, out, outOff, null, 0);
    }

    /** As {@link #rmsNorm(int, int, float[], int, float[], int, float, float[], int)}, also storing each row's
     * {@code 1 / sqrt(mean(x^2) + eps)} in {@code invRms[invRmsOff + r]} (when not null) for the backward pass. */
    public static void rmsNorm(int rows, int dim, float[] x, int xOff, float[] weight, int wOff, float eps,
                               float[] out, int outOff, float[] invRms, int invRmsOff) {
        forRows(rows, dim, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xi = xOff + r * dim;
                int oi = outOff + r * dim;
                float inv = (float) (1.0 / Math.sqrt(sumOfSquares(dim, x, xi) / dim + eps));
                if (invRms != null) {
                    invRms[invRmsOff + r] = inv;
                }
                int i = 0;
                for (int bound = S.loopBound(dim); i < bound; i += S.length()) {
                    FloatVector.fromArray(S, x, xi + i).mul(inv).mul(FloatVector.fromArray(S, weight, wOff + i))
                            .intoArray(out, oi + i);
                }
                for (; i < dim; i++) {
                    out[oi + i] = x[xi + i] * inv * weight[wOff + i];
                }
            }
        });
    }

    /** Sum of {@code x[i]^2} over {@code n} elements. */
    public static float sumOfSquares(int n, float[] x, int off) {
        return dot(n, x, off, x, off);
    }

    // ---------------------------------------------------------------- softmax and friends

    /** Replaces {@code x[off .. off+len)} by its softmax, subtracting the maximum first so no exponent overflows. */
    public static void softmax(float[] x, int off, int len) {
        float max = max(x, off, len);
        float sum = expShiftInPlace(x, off, len, max);
        scale(len, 1f / sum, x, off);
    }

    /** {@code log(sum(exp(x)))} over {@code len} elements, computed stably. */
    public static float logSumExp(float[] x, int off, int len) {
        float max = max(x, off, len);
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.add(VectorMath.exp(FloatVector.fromArray(S, x, off + i).sub(max)));
        }
        float sum = VectorMath.sum(acc);
        for (; i < len; i++) {
            sum += (float) Math.exp(x[off + i] - max);
        }
        return max + (float) Math.log(sum);
    }

    /** {@code out = x - logSumExp(x)} over one row of {@code len}; {@code out} may be {@code x}. */
    public static void logSoftmax(float[] x, int off, int len, float[] out, int outOff) {
        float lse = logSumExp(x, off, len);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).sub(lse).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = x[off + i] - lse;
        }
    }

    /** Largest of {@code len >= 1} elements. */
    public static float max(float[] x, int off, int len) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.max(FloatVector.fromArray(S, x, off + i));
        }
        float max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    /** Index of the first NaN or infinite element of {@code x}, or -1 when every one is finite. */
    public static int firstNonFinite(float[] x) {
        // v - v is 0 for a finite v and NaN otherwise, so one NaN lane flags the block; only then is it searched.
        int i = 0;
        int bound = S.loopBound(x.length);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            if (v.sub(v).test(VectorOperators.IS_NAN).anyTrue()) {
                break;
            }
        }
        for (; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Index (relative to {@code off}) of the largest of {@code len >= 1} elements; the first one on ties. */
    public static int argmax(float[] x, int off, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("argmax of an empty row");
        }
        float max = max(x, off, len);
        for (int i = 0; i < len; i++) {
            if (x[off + i] == max) {
                return i;
            }
        }
        return 0; // only when the row holds NaN
    }

    /** {@code x[i] = exp(x[i] - shift)}, returning their sum. */
    public static float expShiftInPlace(float[] x, int off, int len, float shift) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, off + i).sub(shift));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    // ---------------------------------------------------------------- SwiGLU

    /** The SwiGLU gate: {@code out = silu(gate) * up} with {@code silu(g) = g / (1 + exp(-g))}. {@code out} may alias. */
    public static void siluMul(int n, float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff) {
        forElements(n, (i0, i1) -> {
            int i = i0;
            for (int bound = i0 + S.loopBound(i1 - i0); i < bound; i += S.length()) {
                FloatVector g = FloatVector.fromArray(S, gate, gateOff + i);
                FloatVector silu = g.div(VectorMath.exp(g.neg()).add(1f));
                silu.mul(FloatVector.fromArray(S, up, upOff + i)).intoArray(out, outOff + i);
            }
            for (; i < i1; i++) {
                out[outOff + i] = silu(gate[gateOff + i]) * up[upOff + i];
            }
        });
    }

    /** {@code g / (1 + exp(-g))}. */
    public static float silu(float g) {
        return (float) (g / (1.0 + Math.exp(-g)));
    }

    // ---------------------------------------------------------------- element-wise helpers

    /** {@code out = a + b} over {@code n} elements; {@code out} may alias either input. */
    public static void add(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        forElements(n, (i0, i1) -> {
            int i = i0;
            for (int bound = i0 + S.loopBound(i1 - i0); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i))
                        .intoArray(out, outOff + i);
            }
            for (; i < i1; i++) {
                out[outOff + i] = a[aOff + i] + b[bOff + i];
            }
        });
    }

    /** {@code out = a * b} element-wise over {@code n} elements; {@code out} may alias either input. */
    public static void mul(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
        forElements(n, (i0, i1) -> {
            int i = i0;
            for (int bound = i0 + S.loopBound(i1 - i0); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i))
                        .intoArray(out, outOff + i);
            }
            for (; i < i1; i++) {
                out[outOff + i] = a[aOff + i] * b[bOff + i];
            }
        });
    }

    /** {@code y += alpha * x} over {@code n} elements. */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        forElements(n, (i0, i1) -> {
            int i = i0;
            for (int bound = i0 + S.loopBound(i1 - i0); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
            for (; i < i1; i++) {
                y[yOff + i] += alpha * x[xOff + i];
            }
        });
    }

    /** {@code x *= alpha} over {@code n} elements. */
    public static void scale(int n, float alpha, float[] x, int off) {
        forElements(n, (i0, i1) -> {
            int i = i0;
            for (int bound = i0 + S.loopBound(i1 - i0); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, off + i).mul(alpha).intoArray(x, off + i);
            }
            for (; i < i1; i++) {
                x[off + i] *= alpha;
            }
        });
    }

    /** Adds the row vector {@code v[vOff .. vOff+n)} to each of {@code rows} rows of {@code y} (row stride n): a bias. */
    public static void addRowVector(int rows, int n, float[] v, int vOff, float[] y, int yOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int yi = yOff + r * n;
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector.fromArray(S, y, yi + i).add(FloatVector.fromArray(S, v, vOff + i)).intoArray(y, yi + i);
                }
                for (; i < n; i++) {
                    y[yi + i] += v[vOff + i];
                }
            }
        });
    }

    /** Dot product of {@code n} elements, accumulated in fp32 lanes. */
    public static float dot(int n, float[] a, int aOff, float[] b, int bOff) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int step = S.length();
        int i = 0;
        for (int bound = n - 2 * step; i <= bound; i += 2 * step) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + i + step).fma(FloatVector.fromArray(S, b, bOff + i + step), acc1);
        }
        for (int bound = S.loopBound(n); i < bound; i += step) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
        }
        float sum = VectorMath.sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    // ---------------------------------------------------------------- embedding

    /**
     * Copies row {@code tokens[tokensOff + t]} of the {@code [vocab x dim]} table into row t of {@code out}, for
     * {@code count} tokens. A token outside {@code [0, vocab)} fails with a message naming it.
     */
    public static void embedding(int count, int[] tokens, int tokensOff, float[] table, int tableOff, int vocab, int dim,
                                 float[] out, int outOff) {
        for (int t = 0; t < count; t++) {
            int id = tokens[tokensOff + t];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + t
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            System.arraycopy(table, tableOff + id * dim, out, outOff + t * dim, dim);
        }
    }

    // ---------------------------------------------------------------- splitting

    private static void forRows(int rows, int dim, Parallel.IntRangeConsumer body) {
        if ((long) rows * dim < PARALLEL_MIN) {
            body.accept(0, rows);
        } else {
            Parallel.forRange(rows, body);
        }
    }

    private static void forElements(int n, Parallel.IntRangeConsumer body) {
        if (n < PARALLEL_MIN) {
            body.accept(0, n);
        } else {
            // Chunks that are whole vectors, so every chunk but the last runs without a scalar tail.
            int perThread = (n + Parallel.threads() - 1) / Parallel.threads();
            int chunk = (perThread + S.length() - 1) / S.length() * S.length();
            Parallel.forChunks(n, chunk, body);
        }
    }
}
