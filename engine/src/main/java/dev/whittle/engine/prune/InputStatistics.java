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

        public FeatureNorms(int cols) {
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
        /** Rows of the lower triangle per product: enough for Gemm's blocked path (at least 32 rows). */
        static final int BLOCK = 64;
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

        /**
         * Adds the lower triangle of {@code X^T X} only (it is symmetric), a block of {@link #BLOCK} rows at a time:
         * about half the FMAs of the whole product for wide layers. Each element is the same chain of FMAs as in
         * the whole product (blocks stay on Gemm's blocked path), so the result is the same bit for bit.
         */
        @Override
        public void add(float[] x, int off, int rows, int cols) {
            tokens += rows;
            for (int i0 = 0; i0 < cols; ) {
                int width = cols - i0 < 2 * BLOCK ? cols - i0 : BLOCK;
                Gemm.gemm(true, false, width, i0 + width, rows, x, off + i0, cols, x, off, cols, sum, i0 * cols, cols,
                        true);
                i0 += width;
            }
            sequences++;
        }

        /**
         * {@code H = (2 / sequences) sum X^T X}, {@code [in x in]} (the accumulator itself: its upper triangle copied
         * from the lower, then scaled in place).
         */
        public float[] hessian() {
            for (int i = 0; i < cols; i++) {
                for (int j = i + 1; j < cols; j++) {
                    sum[i * cols + j] = sum[j * cols + i];
                }
            }
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
