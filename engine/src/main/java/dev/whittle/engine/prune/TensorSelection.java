package dev.whittle.engine.prune;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which weight matrices a method prunes, by tensor name ({@code model.layers.3.mlp.down_proj.weight}): every linear
 * layer of the decoder blocks unless {@code include} patterns are given (then those they match), minus what
 * {@code exclude} patterns match. Patterns are Java regular expressions searched anywhere in the name (as
 * {@code grep}: {@code mlp} matches every MLP weight; anchor with {@code ^...$} for whole names). The embeddings,
 * norms, biases and the LM head are never candidates. A pattern that matches no candidate is an error, as is a
 * selection that ends up empty.
 */
public record TensorSelection(List<String> include, List<String> exclude) {

    /** Every linear layer of every block. */
    public static final TensorSelection ALL_BLOCK_LINEARS = new TensorSelection(List.of(), List.of());

    public TensorSelection {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    /**
     * The candidates: the weight of each block linear layer, in checkpoint order (as {@code DecoderLoader} names them);
     * in a Mixture-of-Experts layer every routed expert's projections and the shared expert's, never the router or
     * the shared expert's gate (they choose where tokens go rather than transform them).
     */
    public static List<String> candidates(ModelConfig config) {
        List<String> names = new ArrayList<>();
        MoeConfig moe = config.moe();
        boolean mixtral = config.family() == Family.MIXTRAL;
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String p = "model.layers." + layer;
            for (String linear : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                names.add(p + ".self_attn." + linear + ".weight");
            }
            if (moe == null || !moe.isSparseLayer(layer)) {
                addSwiGlu(names, p + ".mlp", "gate_proj", "up_proj", "down_proj");
                continue;
            }
            String module = p + (mixtral ? ".block_sparse_moe" : ".mlp");
            for (int e = 0; e < moe.numExperts(); e++) {
                if (mixtral) {
                    addSwiGlu(names, module + ".experts." + e, "w1", "w3", "w2");
                } else {
                    addSwiGlu(names, module + ".experts." + e, "gate_proj", "up_proj", "down_proj");
                }
            }
            if (moe.hasSharedExpert()) {
                addSwiGlu(names, module + ".shared_expert", "gate_proj", "up_proj", "down_proj");
            }
        }
        return names;
    }

    private static void addSwiGlu(List<String> names, String module, String gate, String up, String down) {
        for (String linear : List.of(gate, up, down)) {
            names.add(module + "." + linear + ".weight");
        }
    }

    /** The input width of the block linear weight {@code name} (a candidate) of the model {@code config} describes. */
    public static int inputs(ModelConfig config, String name) {
        return PruneValidation.inputs(config, name);
    }

    /** The chosen tensor names among {@code candidates}, in their order; throws naming the offending field. */
    public Set<String> select(List<String> candidates) {
        List<Pattern> includes = compile("include", include);
        List<Pattern> excludes = compile("exclude", exclude);
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : candidates) {
            if (includes.isEmpty() || matchesAny(includes, name)) {
                chosen.add(name);
            }
        }
        requireMatches("include", includes, candidates);
        requireMatches("exclude", excludes, candidates);
        chosen.removeIf(name -> matchesAny(excludes, name));
        if (chosen.isEmpty()) {
            throw new PruneProblemException(new PruneProblem(include.isEmpty() ? "exclude" : "include",
                    "the patterns leave no weight to prune"));
        }
        return chosen;
    }

    /** Patterns that are not valid regular expressions (checkable without the model). */
    public List<PruneProblem> syntaxProblems() {
        List<PruneProblem> problems = new ArrayList<>();
        for (var field : List.of(java.util.Map.entry("include", include), java.util.Map.entry("exclude", exclude))) {
            try {
                compile(field.getKey(), field.getValue());
            } catch (PruneProblemException e) {
                problems.addAll(e.problems());
            }
        }
        return problems;
    }

    private static List<Pattern> compile(String field, List<String> patterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            try {
                compiled.add(Pattern.compile(patterns.get(i)));
            } catch (PatternSyntaxException e) {
                throw new PruneProblemException(new PruneProblem(field + "[" + i + "]",
                        "'" + patterns.get(i) + "' is not a valid regular expression: " + e.getDescription()));
            }
        }
        return compiled;
    }

    private static void requireMatches(String field, List<Pattern> patterns, List<String> candidates) {
        for (int i = 0; i < patterns.size(); i++) {
            Pattern p = patterns.get(i);
            if (candidates.stream().noneMatch(name -> p.matcher(name).find())) {
                throw new PruneProblemException(new PruneProblem(field + "[" + i + "]", "'" + p.pattern()
                        + "' matches no prunable tensor (block linear weights such as "
                        + (candidates.isEmpty() ? "none" : candidates.getFirst()) + ")"));
            }
        }
    }

    private static boolean matchesAny(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).find()) {
                return true;
            }
        }
        return false;
    }
}
