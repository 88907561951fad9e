package dev.whittle.engine.prune.experts;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGluMlp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges similar experts of each sparse layer instead of dropping them, in the M-SMoE / HC-SMoE line:
 * <ul>
 *   <li>similarity (M-SMoE, Li et al. 2024): the cosine between two experts' router logits over the calibration
 *       tokens, {@code <l_i, l_j> / (|l_i| |l_j|)} with {@code l_i} expert i's logit on every token;</li>
 *   <li>grouping (HC-SMoE, Chen et al. 2024): average-linkage agglomerative clustering, merging the two groups with
 *       the highest mean pairwise similarity until {@code n - removed} groups remain (every layer ends with the same
 *       count, as the config needs);</li>
 *   <li>merging (both papers): each group's gate, up and down weights become the frequency-weighted average
 *       {@code sum_j f_j W_j / sum_j f_j}, {@code f_j} the share of tokens whose top-k holds j (a plain mean when no
 *       token reached any member); the group's router row is that of its most frequent member (M-SMoE's dominant
 *       expert), so the merged expert is routed to where the dominant one was.</li>
 * </ul>
 * No permutation alignment of the experts' hidden units is done before averaging (M-SMoE aligns; HC-SMoE does not).
 * Groups are numbered by their lowest member.
 */
public final class ExpertMerging {

    /** One sparse layer: its block, router, each source expert's frequency, and the groups merged (source indices). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ExpertMergesLayer") // schema names are global: not "Layer"
    public record Layer(int block, String router, List<Double> frequencies, List<List<Integer>> groups) {
    }

    /** What is merged: {@code experts} per layer before, {@code kept} (groups) after, the groups of each layer. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ExpertMerges") // schema names are global: not "Result"
    public record Result(int experts, int kept, List<Layer> layers) {
    }

    private ExpertMerging() {
    }

    /** Groups each sparse layer's experts of {@code decoder} into {@code removed} fewer, calibrated on {@code windows}. */
    public static Result group(Decoder decoder, List<int[]> windows, int removed, Progress progress) {
        int experts = decoder.config().moe().numExperts();
        Map<String, MoeFeedForward> routers = new HashMap<>();
        for (DecoderBlock block : decoder.blocks()) {
            if (block.mlp() instanceof MoeFeedForward moe) {
                routers.put(moe.router().name(), moe);
            }
        }
        Statistics statistics = new Statistics(routers, experts);
        ForwardState state = ForwardState.forInference();
        for (int s = 0; s < windows.size(); s++) {
            progress.checkCancelled();
            decoder.forward(Batch.of(windows.get(s)), state, statistics);
            progress.report("score", s + 1, windows.size(), null);
        }
        List<Layer> layers = new ArrayList<>();
        for (int position = 0; position < decoder.blocks().size(); position++) {
            if (decoder.blocks().get(position).mlp() instanceof MoeFeedForward moe) {
                String router = moe.router().name();
                layers.add(new Layer(position, router, Arrays.stream(statistics.frequencies(router)).boxed().toList(),
                        cluster(statistics.similarity(router), experts - removed)));
            }
        }
        return new Result(experts, experts - removed, List.copyOf(layers));
    }

    /** {@code decoder} with each group of {@code grouping} merged into one expert; shares nothing it changed. */
    public static Decoder merge(Decoder decoder, Result grouping) {
        Map<Integer, Layer> byBlock = new HashMap<>();
        grouping.layers().forEach(l -> byBlock.put(l.block(), l));
        return ExpertRemoval.withSparseLayers(decoder, (position, moe) -> {
            Layer layer = byBlock.get(position);
            return merged(moe, layer.groups(), layer.frequencies().stream().mapToDouble(Double::doubleValue).toArray());
        });
    }

    /** Average-linkage clustering of {@code similarity} into {@code count} groups, each ascending, by lowest member. */
    static List<List<Integer>> cluster(double[][] similarity, int count) {
        List<List<Integer>> groups = new ArrayList<>();
        for (int e = 0; e < similarity.length; e++) {
            groups.add(new ArrayList<>(List.of(e)));
        }
        while (groups.size() > count) {
            int bestA = -1;
            int bestB = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < groups.size(); a++) {
                for (int b = a + 1; b < groups.size(); b++) {
                    double linkage = averageLinkage(similarity, groups.get(a), groups.get(b));
                    if (linkage > best) {
                        best = linkage;
                        bestA = a;
                        bestB = b;
                    }
                }
            }
            groups.get(bestA).addAll(groups.remove(bestB));
            groups.get(bestA).sort(Comparator.naturalOrder());
        }
        groups.sort(Comparator.comparing(List::getFirst));
        return groups.stream().map(List::copyOf).toList();
    }

    private static double averageLinkage(double[][] similarity, List<Integer> a, List<Integer> b) {
        double sum = 0;
        for (int i : a) {
            for (int j : b) {
                sum += similarity[i][j];
            }
        }
        return sum / (a.size() * b.size());
    }

    /** The layer with one expert per group: frequency-weighted weights, the dominant member's router row. */
    private static MoeFeedForward merged(MoeFeedForward moe, List<List<Integer>> groups, double[] frequencies) {
        Linear router = moe.router();
        int hidden = router.in();
        float[] rows = new float[groups.size() * hidden];
        List<SwiGluMlp> experts = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<Integer> group = groups.get(g);
            int dominant = group.getFirst();
            double total = 0;
            for (int e : group) {
                total += frequencies[e];
                dominant = frequencies[e] > frequencies[dominant] ? e : dominant;
            }
            double[] weights = new double[group.size()];
            for (int i = 0; i < group.size(); i++) {
                weights[i] = total == 0 ? 1.0 / group.size() : frequencies[group.get(i)] / total;
            }
            System.arraycopy(router.weight(), dominant * hidden, rows, g * hidden, hidden);
            int first = group.getFirst();
            SwiGluMlp named = moe.experts().get(first);
            experts.add(new SwiGluMlp(average(moe, group, weights, SwiGluMlp::gate, named.gate(), first, g),
                    average(moe, group, weights, SwiGluMlp::up, named.up(), first, g),
                    average(moe, group, weights, SwiGluMlp::down, named.down(), first, g)));
        }
        return new MoeFeedForward(new Linear(router.name(), groups.size(), hidden, rows, null), experts, moe.topK(),
                moe.normalizesTopK(), moe.sharedExpert(), moe.sharedExpertGate());
    }

    /** {@code sum_i weights[i] * W(group[i])} for one of the projections, named as expert {@code index}. */
    private static Linear average(MoeFeedForward moe, List<Integer> group, double[] weights,
                                  java.util.function.Function<SwiGluMlp, Linear> projection, Linear named, int from,
                                  int index) {
        double[] sum = new double[named.weight().length];
        for (int i = 0; i < group.size(); i++) {
            float[] w = projection.apply(moe.experts().get(group.get(i))).weight();
            for (int k = 0; k < sum.length; k++) {
                sum[k] += weights[i] * w[k];
            }
        }
        float[] out = new float[sum.length];
        for (int k = 0; k < sum.length; k++) {
            out[k] = (float) sum[k];
        }
        return ExpertRemoval.renamed(new Linear(named.name(), named.out(), named.in(), out, null), from, index);
    }

    /** Router-logit Gram matrices and top-k counts per sparse layer, gathered during the calibration forwards. */
    private static final class Statistics implements ForwardHooks {
        private final Map<String, MoeFeedForward> routers;
        private final int experts;
        private final Map<String, double[][]> grams = new HashMap<>();
        private final Map<String, long[]> routed = new HashMap<>();
        private final Map<String, Long> tokens = new HashMap<>();

        Statistics(Map<String, MoeFeedForward> routers, int experts) {
            this.routers = routers;
            this.experts = experts;
        }

        @Override
        public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
            MoeFeedForward moe = routers.get(linear);
            if (moe == null) {
                return;
            }
            float[] w = moe.router().weight();
            double[][] gram = grams.computeIfAbsent(linear, l -> new double[experts][experts]);
            double[] logits = new double[experts];
            for (int r = 0; r < rows; r++) {
                int row = offset + r * cols;
                for (int e = 0; e < experts; e++) {
                    double dot = 0;
                    for (int c = 0; c < cols; c++) {
                        dot += (double) w[e * cols + c] * x[row + c];
                    }
                    logits[e] = dot;
                }
                for (int i = 0; i < experts; i++) {
                    for (int j = 0; j < experts; j++) {
                        gram[i][j] += logits[i] * logits[j];
                    }
                }
            }
        }

        @Override
        public void routing(String router, int rows, int topK, int[] chosen, float[] weights) {
            long[] counts = routed.computeIfAbsent(router, r -> new long[experts]);
            for (int i = 0; i < rows * topK; i++) {
                counts[chosen[i]]++;
            }
            tokens.merge(router, (long) rows, Long::sum);
        }

        double[] frequencies(String router) {
            long[] counts = routed.get(router);
            double[] out = new double[experts];
            for (int e = 0; e < experts; e++) {
                out[e] = (double) counts[e] / tokens.get(router);
            }
            return out;
        }

        /** Cosine similarity of the experts' logit vectors; an expert with all-zero logits is similar to none. */
        double[][] similarity(String router) {
            double[][] gram = grams.get(router);
            double[][] out = new double[experts][experts];
            for (int i = 0; i < experts; i++) {
                for (int j = 0; j < experts; j++) {
                    double norms = Math.sqrt(gram[i][i] * gram[j][j]);
                    out[i][j] = norms == 0 ? 0 : gram[i][j] / norms;
                }
            }
            return out;
        }
    }
}
