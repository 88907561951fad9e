package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Parallel;

/**
 * Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models"): the score of
 * weight {@code W_ij} is {@code |W_ij| * ||X_j||_2}, the norm of input feature j over every calibration token, and
 * weights compete only within their output row: unstructured, each row loses its {@code floor(in * sparsity)}
 * lowest; N:M, each group of M inputs of a row loses its N lowest. No weight update.
 */
public final class WandaPruning {

    private WandaPruning() {
    }

    /** The scores {@code |W_ij| * norms[j]} of a {@code [rows x cols]} weight. */
    public static float[] scores(float[] weight, int rows, int cols, double[] inputNorms) {
        if (inputNorms.length != cols) {
            throw new IllegalArgumentException(inputNorms.length + " input norms for " + cols + " inputs");
        }
        float[] scores = new float[weight.length];
        Parallel.forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int row = r * cols;
                for (int j = 0; j < cols; j++) {
                    scores[row + j] = (float) (Math.abs(weight[row + j]) * inputNorms[j]);
                }
            }
        });
        return scores;
    }

    /** Prunes a {@code [rows x cols]} weight in place given {@code ||X_j||_2} of each input. */
    public static void prune(float[] weight, int rows, int cols, double[] inputNorms, double sparsity, NmSparsity nm) {
        float[] scores = scores(weight, rows, cols, inputNorms);
        boolean[] mask = new boolean[weight.length];
        if (nm != null) {
            LowestScores.markPerGroup(scores, rows, cols, nm, mask);
        } else {
            LowestScores.markPerRow(scores, rows, cols, (int) LowestScores.count(cols, sparsity), mask);
        }
        Masks.zero(weight, mask);
    }
}
