package dev.whittle.engine.prune.experts;

import dev.whittle.engine.model.ForwardHooks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saliency scores of every expert of every sparse layer, accumulated over calibration forwards as {@link ForwardHooks}
 * (pass it to {@code Decoder.forward}); experts with the lowest scores are the ones to remove.
 * <ul>
 *   <li>REAP (Lasby et al., CerebrasResearch/reap): the mean, over the tokens routed to expert j, of
 *       {@code g_j(x) * ||f_j(x)||_2}, with {@code g_j} the router probability renormalised over the token's top-k
 *       and {@code f_j(x)} the expert's output before its gate;</li>
 *   <li>frequency: the fraction of tokens whose top-k holds j;</li>
 *   <li>EAN (expert activation norm): the sum over the tokens routed to j of {@code ||f_j(x)||_2}.</li>
 * </ul>
 * An expert no token reached scores 0 by all three.
 */
public final class ExpertSaliency implements ForwardHooks {

    /** Accumulators of one sparse layer; {@code gates} holds the routing of the forward in progress. */
    private static final class Layer {
        double[] reap = new double[0];
        double[] norms = new double[0];
        long[] routed = new long[0];
        long tokens;
        int topK;
        int[] chosen = new int[0];
        float[] gates = new float[0];

        void ensureExperts(int expert) {
            if (expert >= reap.length) {
                reap = Arrays.copyOf(reap, expert + 1);
                norms = Arrays.copyOf(norms, expert + 1);
                routed = Arrays.copyOf(routed, expert + 1);
            }
        }
    }

    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final int experts;

    /** @param experts experts per sparse layer (so an expert that never receives a token still has its 0 score) */
    public ExpertSaliency(int experts) {
        this.experts = experts;
    }

    @Override
    public void routing(String router, int rows, int topK, int[] chosen, float[] weights) {
        Layer layer = layers.computeIfAbsent(router, r -> new Layer());
        layer.ensureExperts(experts - 1);
        layer.topK = topK;
        layer.tokens += rows;
        layer.chosen = Arrays.copyOf(chosen, rows * topK);
        layer.gates = new float[rows * topK];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int s = 0; s < topK; s++) {
                sum += weights[r * topK + s];
            }
            for (int s = 0; s < topK; s++) {
                layer.gates[r * topK + s] = (float) (weights[r * topK + s] / sum);
                layer.routed[chosen[r * topK + s]]++;
            }
        }
    }

    @Override
    public void expertOutput(String router, int expert, int[] rows, float[] output, int count, int dim) {
        Layer layer = layers.get(router);
        for (int j = 0; j < count; j++) {
            double sq = 0;
            for (int c = 0; c < dim; c++) {
                double v = output[j * dim + c];
                sq += v * v;
            }
            double norm = Math.sqrt(sq);
            layer.norms[expert] += norm;
            layer.reap[expert] += gate(layer, rows[j], expert) * norm;
        }
    }

    private static double gate(Layer layer, int row, int expert) {
        for (int s = 0; s < layer.topK; s++) {
            if (layer.chosen[row * layer.topK + s] == expert) {
                return layer.gates[row * layer.topK + s];
            }
        }
        throw new IllegalStateException("expert " + expert + " reported an output for row " + row
                + ", which was not routed to it");
    }

    /** The routers seen, in forward order. */
    public List<String> routers() {
        return List.copyOf(layers.keySet());
    }

    /** REAP score of each expert of the layer whose router is {@code router}. */
    public double[] reap(String router) {
        Layer layer = layer(router);
        double[] out = new double[experts];
        for (int e = 0; e < experts; e++) {
            out[e] = layer.routed[e] == 0 ? 0 : layer.reap[e] / layer.routed[e];
        }
        return out;
    }

    /** Fraction of the layer's tokens routed to each expert. */
    public double[] frequency(String router) {
        Layer layer = layer(router);
        double[] out = new double[experts];
        for (int e = 0; e < experts; e++) {
            out[e] = layer.tokens == 0 ? 0 : (double) layer.routed[e] / layer.tokens;
        }
        return out;
    }

    /** Summed output norm of each expert over the tokens routed to it. */
    public double[] ean(String router) {
        return Arrays.copyOf(layer(router).norms, experts);
    }

    private Layer layer(String router) {
        Layer layer = layers.get(router);
        if (layer == null) {
            throw new IllegalArgumentException("no routing was seen for " + router);
        }
        return layer;
    }
}
