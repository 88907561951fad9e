package dev.whittle.engine.prune;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Parallel;

/**
 * What a calibration-based method gathers from the inputs {@code X [tokens x in]} of a linear layer, one forward
 * at a time: Wanda the squared norm of each input feature, SparseGPT {@code X^T X}.
 */
public sealed interface InputStatistics {

    /** Adds the inputs {@code x[off ..]} of {@code rows} tokens, {@code cols} features each. */
    void add(float[] x, int off, int rows, int cols);

    /** Tokens added so far: zero for an expert no calibration token was routed to. */
    long tokens();

    /** Wanda's statistic: {@code sum_t X_tj^2} per input feature j, in double. */
    final class FeatureNorms implements InputStatistics {
        private final double[] sumSquares;
        private long tokens;

        FeatureNorms(int cols) {
            this.sumSquares = new double[cols];
        }

        @Override
        public long tokens() {
            return tokens;
        }

        @Override
        public void add(float[] x, int off, int rows, int cols) {
            tokens += rows;
            Parallel.forRange(cols, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    int row = off + r * cols;
                    for (int c = c0; c < c1; c++) {
                        double v = x[row + c];
                        sumSquares[c] += v * v;
                    }
                }
            });
        }

        /** {@code ||X_j||_2} over every token added. */
        double[] norms() {
            double[] norms = new double[sumSquares.length];
            for (int j = 0; j < norms.length; j++) {
                norms[j] = Math.sqrt(sumSquares[j]);
            }
            return norms;
        }
    }

    /**
     * SparseGPT's statistic: {@code sum X^T X} over every token (fp32, as the official code accumulates it), and the
     * number of sequences added; {@link #hessian} scales it to the official {@code H = (2 / nsamples) sum X X^T},
     * nsamples counting sequences as its {@code add_batch} does.
     */
    final class Gram implements InputStatistics {
        private final int cols;
        private final float[] sum;
        private int sequences;
        private long tokens;

        public Gram(int cols) {
            this.cols = cols;
            this.sum = new float[Math.multiplyExact(cols, cols)];
        }

        @Override
        public long tokens() {
            return tokens;
        }

        @Override
        public void add(float[] x, int off, int rows, int cols) {
            tokens += rows;
            Gemm.gemm(true, false, cols, cols, rows, x, off, cols, x, off, cols, sum, 0, cols, true);
            sequences++;
        }

        /** {@code H = (2 / sequences) sum X^T X}, {@code [in x in]} (the accumulator itself, scaled in place). */
        public float[] hessian() {
            float scale = sequences == 0 ? 0f : 2f / sequences;
            for (int i = 0; i < sum.length; i++) {
                sum[i] *= scale;
            }
            sequences = 0;
            return sum;
        }

        public int cols() {
            return cols;
        }
    }
}
