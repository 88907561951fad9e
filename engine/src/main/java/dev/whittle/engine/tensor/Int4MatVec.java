package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y = W x} for a weight matrix {@code W [rows x cols]} kept as symmetric int4 codes packed into int32 the
 * way compressed-tensors' pack-quantized stores them: eight codes per word from the least significant bits up, each
 * offset by 8 to be unsigned, {@code cols / 8} words per row; one scale per row and group of {@code groupSize}
 * consecutive inputs, so {@code W[r][c] = (code - 8) * scale[r][c / groupSize]}. It is the matrix-vector product of
 * decoding one token, reading half a byte per weight instead of four: the codes are widened in registers and never
 * written out as floats.
 *
 * <p>A vector of {@code L} words holds the codes of {@code 8 L} consecutive inputs, nibble {@code k} of lane
 * {@code j} being input {@code 8 j + k}. So that each nibble meets its inputs in one load, x is first rearranged
 * (once per call, {@code cols} floats) chunk by chunk to {@code xs[c0 + k L + j] = x[c0 + 8 j + k]}. Within a group
 * the kernel sums {@code code * x} in a vector and adds it, times the group's scale, to the row's total; the offset
 * is taken off once per group as {@code 8 scale sum(x of the group)}. Rows are split over {@link Parallel}'s threads.
 * Shapes the vector path does not tile (a group not a multiple of {@code 8 L} inputs) take a scalar loop.
 */
public final class Int4MatVec {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    /** Inputs covered by one vector of packed words. */
    private static final int CHUNK = 8 * L;
    private static final int OFFSET = 8;

    private Int4MatVec() {
    }

    /**
     * A matrix {@code [rows x cols]} in this form: {@code words [rows x cols / 8]}, {@code scales
     * [rows x cols / groupSize]}.
     */
    public record Matrix(int rows, int cols, int[] words, float[] scales, int groupSize) {

        public Matrix {
            if (cols % 8 != 0 || groupSize % 8 != 0 || cols % groupSize != 0) {
                throw new IllegalArgumentException("int4 matrix-vector: " + cols + " inputs in groups of " + groupSize
                        + " must be whole words (8) and whole groups");
            }
            if (words.length != rows * (cols / 8) || scales.length != rows * (cols / groupSize)) {
                throw new IllegalArgumentException("int4 matrix-vector: " + words.length + " words and "
                        + scales.length + " scales do not make " + rows + " x " + cols + " in groups of " + groupSize);
            }
        }
    }

    /** {@code y[yOff..] = W x[xOff..]}. */
    public static void multiply(Matrix w, float[] x, int xOff, float[] y, int yOff) {
        int rows = w.rows();
        int cols = w.cols();
        int groupSize = w.groupSize();
        int groups = cols / groupSize;
        float[] groupSums = new float[groups];
        for (int c = 0; c < cols; c++) {
            groupSums[c / groupSize] += x[xOff + c];
        }
        int chunk = Math.max(4, rows / (4 * Parallel.threads()));
        if (groupSize % CHUNK != 0) {
            Parallel.forChunks(rows, chunk, (r0, r1) -> scalar(r0, r1, w, x, xOff, groupSums, y, yOff));
            return;
        }
        float[] xs = rearranged(x, xOff, cols);
        Parallel.forChunks(rows, chunk, (r0, r1) -> vector(r0, r1, w, xs, groupSums, y, yOff));
    }

    /** {@code xs[c0 + k L + j] = x[c0 + 8 j + k]} in every chunk of {@code 8 L} inputs. */
    private static float[] rearranged(float[] x, int xOff, int cols) {
        float[] xs = new float[cols];
        for (int c0 = 0; c0 < cols; c0 += CHUNK) {
            for (int j = 0; j < L; j++) {
                for (int k = 0; k < 8; k++) {
                    xs[c0 + k * L + j] = x[xOff + c0 + 8 * j + k];
                }
            }
        }
        return xs;
    }

    private static void vector(int r0, int r1, Matrix m, float[] xs, float[] groupSums, float[] y, int yOff) {
        int cols = m.cols();
        int groupSize = m.groupSize();
        int[] packed = m.words();
        float[] scales = m.scales();
        int words = cols / 8;
        int groups = cols / groupSize;
        for (int r = r0; r < r1; r++) {
            FloatVector total = FloatVector.zero(S);
            float offset = 0;
            for (int g = 0; g < groups; g++) {
                FloatVector sum = FloatVector.zero(S);
                for (int c0 = g * groupSize; c0 < (g + 1) * groupSize; c0 += CHUNK) {
                    IntVector w = IntVector.fromArray(I, packed, r * words + c0 / 8);
                    for (int k = 0; k < 8; k++) {
                        FloatVector q = (FloatVector) w.lanewise(VectorOperators.LSHR, 4 * k).and(0xF)
                                .convert(VectorOperators.I2F, 0);
                        sum = q.fma(FloatVector.fromArray(S, xs, c0 + k * L), sum);
                    }
                }
                float scale = scales[r * groups + g];
                total = sum.fma(FloatVector.broadcast(S, scale), total);
                offset += scale * groupSums[g];
            }
            y[yOff + r] = total.reduceLanes(VectorOperators.ADD) - OFFSET * offset;
        }
    }

    private static void scalar(int r0, int r1, Matrix m, float[] x, int xOff, float[] groupSums, float[] y,
                               int yOff) {
        int cols = m.cols();
        int groupSize = m.groupSize();
        int[] packed = m.words();
        float[] scales = m.scales();
        int words = cols / 8;
        int groups = cols / groupSize;
        for (int r = r0; r < r1; r++) {
            float total = 0;
            for (int g = 0; g < groups; g++) {
                float sum = 0;
                for (int c = g * groupSize; c < (g + 1) * groupSize; c++) {
                    sum += ((packed[r * words + c / 8] >>> (4 * (c % 8))) & 0xF) * x[xOff + c];
                }
                total += scales[r * groups + g] * (sum - OFFSET * groupSums[g]);
            }
            y[yOff + r] = total;
        }
    }
}
