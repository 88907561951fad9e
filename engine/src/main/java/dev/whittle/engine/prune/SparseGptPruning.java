package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Parallel;

/**
 * SparseGPT (Frantar and Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot")
 * as its official {@code fasterprune}: with {@code H = (2/n) sum X X^T} over the calibration inputs of a linear
 * layer,
 * <ol>
 *   <li>dead inputs ({@code H_ii = 0}) get {@code H_ii = 1} and their weight column is zeroed;</li>
 *   <li>{@code H + damp I}, {@code damp = dampening * mean(diag H)}, gives the upper Cholesky factor {@code U} of
 *       its inverse; when it is not positive definite the dampening is multiplied by 10 and tried again (up to
 *       {@value #ATTEMPTS} times; the outcome says how many it took);</li>
 *   <li>columns go in blocks of {@code blockSize} (128): unstructured, at the start of each block the
 *       {@code floor(rows * width * sparsity)} weights of the block with the lowest {@code w^2 / U_ii^2} are chosen
 *       (the adaptive mask selection: each block's mask sees the updates of the blocks before it); N:M, at the first
 *       column of each group of M the N lowest of the group are chosen from the current weights;</li>
 *   <li>column by column, a pruned weight's error {@code (w - 0) / U_ii} is spread over the later columns of the
 *       block along row {@code i} of {@code U} (the OBS update), and once a block is done its errors update all
 *       later columns at once ({@code W[:, i2:] -= Err U[i1:i2, i2:]}, the lazy batch update).</li>
 * </ol>
 * The scale of {@code H} does not matter (masks and updates are invariant to it), so callers may pass the plain
 * sum of {@code X^T X}. Everything is fp32 as in the official code, except the small diagonal blocks of the
 * factorisation ({@link InverseCholesky}), which are done in double precision. With N:M the block width is rounded down to a multiple of M
 * so that no group straddles two blocks.
 */
public final class SparseGptPruning {

    public static final int DEFAULT_BLOCK_SIZE = 128;
    public static final double DEFAULT_DAMPENING = 0.01;
    /** Factorisations tried, the dampening growing tenfold after each failure. */
    static final int ATTEMPTS = 6;

    /** Thrown when even the largest dampening leaves {@code H} not positive definite. */
    public static final class FactorisationException extends RuntimeException {
        FactorisationException(String message) {
            super(message);
        }
    }

    private SparseGptPruning() {
    }

    /**
     * Steps 1 and 2 for a Hessian: the dead inputs, and {@code U} with the dampening that factorised. Layers that
     * read the same input (q, k, v; gate, up) share one.
     */
    public record Factor(int cols, float[] u, boolean[] dead, double dampening, int retries) {
        public int deadInputs() {
            int n = 0;
            for (boolean d : dead) {
                n += d ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Factorises {@code hessian} ({@code [cols x cols]}, symmetric, any positive scale) with {@code dampening} x
     * mean(diag H) on the diagonal, tenfold more after each failure.
     */
    public static Factor factor(float[] hessian, int cols, double dampening) {
        if (hessian.length != (long) cols * cols) {
            throw new IllegalArgumentException("a Hessian of " + hessian.length + " values for " + cols + " inputs");
        }
        float[] h = hessian.clone();
        boolean[] dead = new boolean[cols];
        double trace = 0;
        for (int i = 0; i < cols; i++) {
            if (h[i * cols + i] == 0) {
                h[i * cols + i] = 1;
                dead[i] = true;
            }
            trace += h[i * cols + i];
        }
        double meanDiagonal = trace / cols;
        double fraction = dampening;
        for (int retries = 0; retries < ATTEMPTS; retries++, fraction *= 10) {
            float[] u = InverseCholesky.upperOfInverse(h, cols, fraction * meanDiagonal);
            if (u != null) {
                return new Factor(cols, u, dead, fraction, retries);
            }
        }
        throw new FactorisationException("the Hessian is not positive definite even with dampening "
                + fraction / 10 + " x mean(diag H)");
    }

    /**
     * Prunes {@code weight} ({@code [rows x cols]}, updated in place) given {@code hessian}: unstructured at
     * {@code sparsity}, or N:M when {@code nm} is given. Returns the OBS loss.
     */
    public static double prune(float[] weight, int rows, int cols, float[] hessian, double sparsity, NmSparsity nm,
                               int blockSize, double dampening) {
        return prune(weight, rows, cols, factor(hessian, cols, dampening), sparsity, nm, blockSize);
    }

    /** Steps 3 and 4 with a factor made by {@link #factor}; returns the OBS loss {@code sum (w - q)^2 / U_ii^2 / 2}. */
    public static double prune(float[] weight, int rows, int cols, Factor factor, double sparsity, NmSparsity nm,
                               int blockSize) {
        if (factor.cols() != cols) {
            throw new IllegalArgumentException("a factor for " + factor.cols() + " inputs used on " + cols);
        }
        if (nm != null) {
            LowestScores.requireWhole(cols, nm);
            blockSize = Math.max(nm.m(), blockSize - blockSize % nm.m());
        }
        for (int i = 0; i < cols; i++) {
            if (factor.dead()[i]) {
                for (int r = 0; r < rows; r++) {
                    weight[r * cols + i] = 0f;
                }
            }
        }
        return solve(weight, rows, cols, factor.u(), sparsity, nm, blockSize);
    }

    /** Steps 3 and 4 of the algorithm, given {@code U}; returns the OBS loss. */
    private static double solve(float[] w, int rows, int cols, float[] u, double sparsity, NmSparsity nm, int blockSize) {
        double[] rowLoss = new double[rows];
        float[] negErr = new float[rows * blockSize];
        boolean[] mask = new boolean[rows * blockSize];
        float[] scores = nm == null ? new float[rows * blockSize] : null;
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            int count = i2 - i1;
            int start = i1;
            if (nm == null) {
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < count; i++) {
                        float v = w[r * cols + start + i];
                        float d = u[(start + i) * cols + start + i];
                        scores[r * count + i] = v * v / (d * d);
                    }
                }
                int k = Math.toIntExact(LowestScores.count((long) rows * count, sparsity));
                LowestScores.mark(scores, 0, rows * count, k, mask, 0, new float[rows * count]);
            }
            boolean[] anyError = new boolean[1];
            Parallel.forRange(rows, (r0, r1) -> {
                float[] w1 = new float[count];
                float[] groupScores = nm == null ? null : new float[nm.m()];
                boolean any = false;
                for (int r = r0; r < r1; r++) {
                    int row = r * cols + start;
                    System.arraycopy(w, row, w1, 0, count);
                    int m = r * count;
                    double loss = 0;
                    for (int i = 0; i < count; i++) {
                        int diag = (start + i) * cols + start + i;
                        float d = u[diag];
                        if (nm != null && i % nm.m() == 0) {
                            for (int g = 0; g < nm.m(); g++) {
                                float dg = u[diag + g * cols + g];
                                groupScores[g] = w1[i + g] * w1[i + g] / (dg * dg);
                            }
                            LowestScores.markGroup(groupScores, 0, nm, mask, m + i);
                        }
                        float value = w1[i];
                        float q = mask[m + i] ? 0f : value;
                        float err = (value - q) / d;
                        negErr[m + i] = -err;
                        if (err != 0f) {
                            any = true;
                            loss += (double) (value - q) * (value - q) / ((double) d * d);
                            for (int j = i + 1; j < count; j++) {
                                w1[j] -= err * u[diag + j - i];
                            }
                        }
                        w1[i] = q;
                    }
                    System.arraycopy(w1, 0, w, row, count);
                    rowLoss[r] += loss / 2;
                }
                if (any) {
                    anyError[0] = true;
                }
            });
            if (anyError[0] && i2 < cols) {
                // W[:, i2:] += (-Err)[rows x count] . U[i1:i2, i2:]
                Gemm.gemm(false, false, rows, cols - i2, count, negErr, 0, count, u, i1 * cols + i2, cols,
                        w, i2, cols, true);
            }
        }
        double total = 0;
        for (double l : rowLoss) {
            total += l;
        }
        return total;
    }
}
