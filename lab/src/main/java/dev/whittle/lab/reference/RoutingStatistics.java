package dev.whittle.lab.reference;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which experts the tokens of each domain are routed to, sparse layer by sparse layer: for every domain the share of
 * its (token, top-k slot) assignments that went to each expert. What the MoE reference model's card shows to say
 * whether its experts differ between domains, and what expert pruning has to choose between.
 *
 * @param domains the domains, in the order measured
 * @param layers  each sparse layer's router name and, by domain, the share of assignments per expert
 */
public record RoutingStatistics(List<String> domains, List<Layer> layers) {

    /** Some texts of one domain. */
    public record Domain(String name, List<String> texts) {
    }

    /** One router: {@code shares.get(domain)[expert]}, each domain's shares summing to 1; {@code tokens} by domain. */
    public record Layer(String router, Map<String, double[]> shares, Map<String, Long> tokens) {

        /**
         * Total variation distance between a domain's expert shares and those of all domains pooled (each domain
         * weighted by its assignments): 0 when the domain is routed like everything else, 1 when to other experts.
         */
        public double distanceFromPooled(String domain) {
            double[] pooled = pooled();
            double[] own = shares.get(domain);
            double d = 0;
            for (int e = 0; e < own.length; e++) {
                d += Math.abs(own[e] - pooled[e]);
            }
            return d / 2;
        }

        private double[] pooled() {
            double[] pooled = null;
            long total = 0;
            for (Map.Entry<String, double[]> entry : shares.entrySet()) {
                double[] s = entry.getValue();
                pooled = pooled == null ? new double[s.length] : pooled;
                long n = tokens.get(entry.getKey());
                for (int e = 0; e < s.length; e++) {
                    pooled[e] += n * s[e];
                }
                total += n;
            }
            for (int e = 0; e < pooled.length; e++) {
                pooled[e] /= total;
            }
            return pooled;
        }
    }

    /** Runs every text of every domain (bos in front when the tokenizer adds one) and counts the routing. */
    public static RoutingStatistics measure(Decoder decoder, Tokenizer tokenizer, List<Domain> domains) {
        Map<String, Map<String, long[]>> counts = new LinkedHashMap<>(); // router -> domain -> expert counts
        Map<String, Map<String, Long>> tokens = new LinkedHashMap<>();
        ForwardState state = ForwardState.forInference();
        int context = decoder.config().maxPositionEmbeddings();
        for (Domain domain : domains) {
            ForwardHooks hooks = new ForwardHooks() {
                @Override
                public void routing(String router, int rows, int topK, int[] experts, float[] weights) {
                    int count = decoder.config().moe().numExperts();
                    long[] c = counts.computeIfAbsent(router, r -> new LinkedHashMap<>())
                            .computeIfAbsent(domain.name(), d -> new long[count]);
                    for (int i = 0; i < rows * topK; i++) {
                        c[experts[i]]++;
                    }
                    tokens.computeIfAbsent(router, r -> new LinkedHashMap<>()).merge(domain.name(), (long) rows, Long::sum);
                }
            };
            for (String text : domain.texts()) {
                int[] ids = tokenizer.encode(text, true);
                if (ids.length > context) {
                    ids = java.util.Arrays.copyOf(ids, context);
                }
                decoder.forward(Batch.of(ids), state, hooks);
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (Map.Entry<String, Map<String, long[]>> router : counts.entrySet()) {
            Map<String, double[]> shares = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> domain : router.getValue().entrySet()) {
                long[] c = domain.getValue();
                long sum = 0;
                for (long v : c) {
                    sum += v;
                }
                double[] s = new double[c.length];
                for (int e = 0; e < c.length; e++) {
                    s[e] = (double) c[e] / sum;
                }
                shares.put(domain.getKey(), s);
            }
            layers.add(new Layer(router.getKey(), shares, Map.copyOf(tokens.get(router.getKey()))));
        }
        return new RoutingStatistics(domains.stream().map(Domain::name).toList(), layers);
    }

    /** The card's section: per layer, each domain's share per expert and its distance from the pooled routing. */
    public String markdown() {
        StringBuilder md = new StringBuilder("## Routing by domain\n\n");
        md.append("Share of each domain's (token, top-k slot) assignments that each expert receives, per sparse layer, "
                + "and the total variation distance of that distribution from all domains pooled (0: routed like "
                + "everything else; 1: to experts nothing else uses).\n\n");
        for (Layer layer : layers) {
            int experts = layer.shares().values().iterator().next().length;
            md.append("### ").append(layer.router()).append("\n\n| domain | tokens |");
            for (int e = 0; e < experts; e++) {
                md.append(" e").append(e).append(" |");
            }
            md.append(" distance |\n|---|---|").append("---|".repeat(experts + 1)).append('\n');
            for (String domain : domains) {
                double[] s = layer.shares().get(domain);
                if (s == null) {
                    continue;
                }
                md.append("| ").append(domain).append(" | ").append(layer.tokens().get(domain)).append(" |");
                for (double v : s) {
                    md.append(String.format(Locale.ROOT, " %.1f%% |", 100 * v));
                }
                md.append(String.format(Locale.ROOT, " %.3f |%n", layer.distanceFromPooled(domain)));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
