package dev.whittle.engine.train.optim;

import dev.whittle.engine.tensor.Parallel;

/** Global-norm gradient clipping: all gradients together are scaled so that their joint L2 norm is bounded. */
public final class GradientClipping {

    /** Sums are taken over fixed chunks and added in order, so the norm does not depend on the thread count. */
    private static final int CHUNK = 1 << 16;

    private GradientClipping() {
    }

    /** The L2 norm of every trainable gradient taken as one vector, accumulated in double. */
    public static double globalNorm(ParameterSet parameters) {
        double sumSquares = 0;
        for (Parameter p : parameters.trainable()) {
            sumSquares += sumOfSquares(p.grad());
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales the gradients so their global norm is at most {@code maxNorm} (no change when already inside);
     * returns the norm measured before clipping. Non-finite gradients are refused with the parameter named,
     * since clipping would spread the NaN to every weight.
     */
    public static double clip(ParameterSet parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be positive, got " + maxNorm);
        }
        double norm = globalNorm(parameters);
        if (!Double.isFinite(norm)) {
            for (Parameter p : parameters.trainable()) {
                if (!Double.isFinite(sumOfSquares(p.grad()))) {
                    throw new ArithmeticException("gradient of " + p.name() + " is not finite");
                }
            }
            throw new ArithmeticException("global gradient norm overflowed: " + norm);
        }
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : parameters.trainable()) {
                float[] g = p.grad();
                Parallel.forChunks(g.length, CHUNK, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        g[i] *= scale;
                    }
                });
            }
        }
        return norm;
    }

    private static double sumOfSquares(float[] g) {
        int chunks = (g.length + CHUNK - 1) / CHUNK;
        double[] partial = new double[chunks];
        Parallel.forChunks(g.length, CHUNK, (start, end) -> {
            double s = 0;
            for (int i = start; i < end; i++) {
                s += (double) g[i] * g[i];
            }
            partial[start / CHUNK] = s;
        });
        double total = 0;
        for (double s : partial) {
            total += s;
        }
        return total;
    }
}
