package dev.whittle.engine.quant;

import dev.whittle.engine.prune.SparseGptPruning;
import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Parallel;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * GPTQ (Frantar et al. 2023, Algorithm 1): the columns of {@code W} are quantized one at a time in order, and the
 * error of each is spread over the columns not yet quantized by the OBS update with the inverse Hessian's Cholesky
 * rows, {@code w_k -= (w_j - q_j) / U_jj * U_jk}; updates are applied lazily, {@code blockSize} columns at a time.
 * {@code H = 2 X^T X / n} and its factor {@code U} (with {@code dampening} x mean(diag H) on the diagonal, dead
 * inputs zeroed) are SparseGPT's ({@link SparseGptPruning#factor}): the two methods share the statistic and the
 * factorisation, and differ only in what each column becomes.
 *
 * <p>Group parameters: without {@code actOrder}, as the paper's code, each group's scale and zero point come from
 * its weights as they are when quantization reaches the group's first column (already updated by the errors of
 * the groups before it); the block width is narrowed so that no group starts inside a block and ends beyond it. With
 * {@code actOrder} the columns go in descending order of {@code diag H}, and the groups stay runs of consecutive
 * inputs whose parameters come from the weights before any update (the paper code's {@code static_groups},
 * llm-compressor's {@code actorder: static}), so that the output needs no group index. Per channel, the row's
 * parameters come from the weights before any update, as the paper's code does.
 *
 * <p>Weights that are exactly zero stay zero (their code is the zero point) while their error is still spread, as
 * SparseGPT's joint sparsify-and-quantize does: a pruned model keeps its mask, and its sparsity metadata stays true.
 */
public final class GptqQuantization {

    public static final int DEFAULT_BLOCK_SIZE = 128;
    public static final double DEFAULT_DAMPENING = 0.01;

    private GptqQuantization() {
    }

    /** The column order and the factor of one Hessian, shared by the layers that read the same input. */
    public record Prepared(boolean actOrder, int[] order, SparseGptPruning.Factor factor) {
    }

    /** The quantized matrix and the OBS loss {@code sum (w - q)^2 / U_jj^2 / 2}. */
    public record Result(QuantizedMatrix matrix, double loss) {
    }

    /** Orders the columns ({@code actOrder}: by descending {@code diag H}, else as they are) and factorises H. */
    public static Prepared prepare(float[] hessian, int cols, double dampening, boolean actOrder) {
        int[] order = IntStream.range(0, cols).toArray();
        if (!actOrder) {
            return new Prepared(false, order, SparseGptPruning.factor(hessian, cols, dampening));
        }
        order = IntStream.range(0, cols).boxed()
                .sorted((a, b) -> Float.compare(hessian[b * cols + b], hessian[a * cols + a]))
                .mapToInt(Integer::intValue).toArray();
        float[] permuted = new float[hessian.length];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                permuted[i * cols + j] = hessian[order[i] * cols + order[j]];
            }
        }
        return new Prepared(true, order, SparseGptPruning.factor(permuted, cols, dampening));
    }

    /** Quantizes {@code weight} ({@code [rows x cols]}); on return it holds the dequantised weights. */
    public static Result quantize(float[] weight, int rows, int cols, Prepared prepared, QuantizationScheme scheme,
                                  int blockSize) {
        int[] order = prepared.order();
        float[] u = prepared.factor().u();
        boolean[] dead = prepared.factor().dead();
        int width = scheme.groupWidth(cols);
        int groups = scheme.groups(cols);
        // Parameters fixed before the first update: per channel, or groups visited out of order.
        boolean fixed = prepared.actOrder() || scheme.groupSize() == QuantizationScheme.PER_CHANNEL;
        if (!fixed) {
            blockSize = width <= blockSize ? blockSize - blockSize % width : gcd(width, blockSize);
        }
        float[] w = new float[rows * cols];
        boolean[] pruned = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < cols; p++) {
                w[r * cols + p] = dead[p] ? 0f : weight[r * cols + order[p]];
                pruned[r * cols + p] = weight[r * cols + order[p]] == 0f;
            }
        }
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        if (fixed) {
            float[] original = new float[w.length];
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < cols; p++) {
                    original[r * cols + order[p]] = w[r * cols + p];
                }
            }
            GroupParameters.fit(original, rows, cols, scheme, scales, zeros);
        }
        int[] groupOf = new int[cols];
        for (int p = 0; p < cols; p++) {
            groupOf[p] = order[p] / width;
        }
        byte[] codes = new byte[rows * cols];
        double[] rowLoss = new double[rows];
        float[] negErr = new float[rows * blockSize];
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            int count = i2 - i1;
            int start = i1;
            Parallel.forRange(rows, (r0, r1) -> {
                float[] w1 = new float[count];
                for (int r = r0; r < r1; r++) {
                    int row = r * cols;
                    System.arraycopy(w, row + start, w1, 0, count);
                    double loss = 0;
                    for (int i = 0; i < count; i++) {
                        int p = start + i;
                        int g = r * groups + groupOf[p];
                        if (!fixed && p % width == 0) {
                            fitLazily(w, w1, row, start, i2, p, Math.min(width, cols - p), scheme, scales, zeros, g);
                        }
                        int diag = p * cols + p;
                        float d = u[diag];
                        float value = w1[i];
                        int code = pruned[row + p] ? zeros[g] : scheme.quantize(value, scales[g], zeros[g]);
                        codes[row + order[p]] = (byte) code;
                        float q = QuantizationScheme.dequantize(code, scales[g], zeros[g]);
                        float err = (value - q) / d;
                        negErr[r * count + i] = -err;
                        loss += (double) (value - q) * (value - q) / ((double) d * d);
                        for (int j = i + 1; j < count; j++) {
                            w1[j] -= err * u[diag + j - i];
                        }
                        w1[i] = q;
                    }
                    System.arraycopy(w1, 0, w, row + start, count);
                    rowLoss[r] += loss / 2;
                }
            });
            if (i2 < cols) {
                // W[:, i2:] += (-Err)[rows x count] . U[i1:i2, i2:]
                Gemm.gemm(false, false, rows, cols - i2, count, negErr, 0, count, u, i1 * cols + i2, cols,
                        w, i2, cols, true);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < cols; p++) {
                weight[r * cols + order[p]] = w[r * cols + p];
            }
        }
        return new Result(new QuantizedMatrix(rows, cols, scheme, codes, scales, zeros), Arrays.stream(rowLoss).sum());
    }

    /**
     * The parameters of the group of {@code count} columns from {@code p}, from the row's current values: those in
     * the block ({@code < i2}) are in {@code w1}, those after it in {@code w} (current, since the group starts at the
     * block's first column whenever it reaches past the block).
     */
    private static void fitLazily(float[] w, float[] w1, int row, int i1, int i2, int p, int count,
                                  QuantizationScheme scheme, float[] scales, int[] zeros, int at) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            int c = p + k;
            values[k] = c < i2 ? w1[c - i1] : w[row + c];
        }
        GroupParameters.fitOne(values, 0, 1, count, scheme, scales, zeros, at);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
