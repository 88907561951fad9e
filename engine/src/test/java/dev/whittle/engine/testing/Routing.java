package dev.whittle.engine.testing;

/** A Mixture-of-Experts router's arithmetic in double precision, written apart from the engine's, for tests. */
public final class Routing {

    private Routing() {
    }

    /** {@code softmax(logits)}. */
    public static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double z = 0;
        double[] p = new double[logits.length];
        for (int e = 0; e < p.length; e++) {
            p[e] = Math.exp(logits[e] - max);
            z += p[e];
        }
        for (int e = 0; e < p.length; e++) {
            p[e] /= z;
        }
        return p;
    }

    /** The indices of the {@code k} largest scores, largest first, ties to the lower index (as transformers' topk). */
    public static int[] topK(double[] scores, int k) {
        int[] top = new int[k];
        boolean[] taken = new boolean[scores.length];
        for (int s = 0; s < k; s++) {
            int best = -1;
            for (int e = 0; e < scores.length; e++) {
                if (!taken[e] && (best < 0 || scores[e] > scores[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            top[s] = best;
        }
        return top;
    }
}
