package dev.whittle.engine.prune;

import dev.whittle.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A pruning request as a user writes it (the API's JSON, the CLI's options): the method by name and its
 * parameters as plain optional values. {@link #problems} lists everything wrong with it, each against its field,
 * without running anything; {@link #toMethod} turns a valid one into the typed {@link PruneMethod}.
 *
 * @param method    {@code magnitude}, {@code wanda}, {@code sparsegpt} or {@code block-removal}
 * @param sparsity  fraction of weights to prune, in [0, 1) (weight pruning; implied by {@code nm})
 * @param nm        {@code "N:M"}: N of every M consecutive inputs of a row pruned (weight pruning)
 * @param scope     {@code layer} (default) or {@code global} (magnitude only)
 * @param blockSize columns per block (sparsegpt only; default 128)
 * @param dampening fraction of mean(diag H) added to the diagonal (sparsegpt only; default 0.01)
 * @param blocks    how many decoder blocks to remove (block-removal only)
 * @param metric    {@code angular-distance} (default) or {@code block-influence} (block-removal only)
 * @param tokens    {@code last} or {@code all}: positions the similarity averages over (block-removal only;
 *                  default as the metric's paper: last for angular distance, all for block influence)
 * @param include   regular expressions choosing weight tensors (default: every block linear)
 * @param exclude   regular expressions removing weight tensors from the choice
 */
public record PruneSpec(String method, Double sparsity, String nm, String scope, Integer blockSize, Double dampening,
                        Integer blocks, String metric, String tokens, List<String> include, List<String> exclude) {

    public PruneSpec {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    /**
     * What is wrong with the fields alone, checkable without the model (what a submission can refuse before the
     * model is read): unknown method, parameters of another method, sparsity or N:M out of range, N:M with block
     * removal, invalid patterns.
     */
    public List<PruneProblem> problems() {
        List<PruneProblem> problems = new ArrayList<>();
        parse(problems);
        problems.addAll(tensors().syntaxProblems());
        return problems;
    }

    /** Everything wrong with this request for the model {@code config} describes; empty when it can run. */
    public List<PruneProblem> problems(ModelConfig config) {
        List<PruneProblem> problems = new ArrayList<>();
        PruneMethod typed = parse(problems);
        if (typed != null) {
            problems.addAll(PruneValidation.problems(typed, tensors(), config));
        }
        return problems;
    }

    /** The typed method; throws a {@link PruneProblemException} listing the problems of the fields alone. */
    public PruneMethod toMethod() {
        List<PruneProblem> problems = new ArrayList<>();
        PruneMethod typed = parse(problems);
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        return typed;
    }

    public TensorSelection tensors() {
        return new TensorSelection(include, exclude);
    }

    /** The typed method, or null with the reasons added to {@code problems}. */
    private PruneMethod parse(List<PruneProblem> problems) {
        if (method == null || method.isBlank()) {
            problems.add(new PruneProblem("method", "required (one of " + String.join(", ", PruneMethod.NAMES) + ")"));
            return null;
        }
        int before = problems.size();
        String name = method.trim().toLowerCase(Locale.ROOT);
        boolean weights = !name.equals(PruneMethod.BlockRemoval.NAME);
        if (!PruneMethod.NAMES.contains(name)) {
            problems.add(new PruneProblem("method", "unknown method '" + method + "' (known: "
                    + String.join(", ", PruneMethod.NAMES) + ")"));
            return null;
        }
        onlyFor(name, "scope", scope, PruneMethod.Magnitude.NAME, problems);
        onlyFor(name, "blockSize", blockSize, PruneMethod.SparseGpt.NAME, problems);
        onlyFor(name, "dampening", dampening, PruneMethod.SparseGpt.NAME, problems);
        if (weights) {
            for (var field : List.of(new Object[] {"blocks", blocks}, new Object[] {"metric", metric},
                    new Object[] {"tokens", tokens})) {
                if (field[1] != null) {
                    problems.add(new PruneProblem((String) field[0], "applies to block-removal, not " + name));
                }
            }
        } else {
            if (nm != null) {
                problems.add(new PruneProblem("nm", "N:M sparsity prunes weights within rows; block-removal removes "
                        + "whole blocks, so it takes no nm"));
            }
            if (sparsity != null) {
                problems.add(new PruneProblem("sparsity", "block-removal takes a number of blocks, not a sparsity"));
            }
        }
        NmSparsity pattern = null;
        if (weights && nm != null) {
            try {
                pattern = NmSparsity.parse(nm);
            } catch (IllegalArgumentException e) {
                problems.add(new PruneProblem("nm", e.getMessage()));
            }
        }
        double fraction = Double.NaN;
        if (weights) {
            if (sparsity == null && nm == null) {
                problems.add(new PruneProblem("sparsity", "required (or nm for N:M sparsity)"));
            } else if (sparsity != null && !(sparsity >= 0 && sparsity < 1)) {
                problems.add(new PruneProblem("sparsity", "must be in [0, 1), got " + sparsity));
            } else if (sparsity != null && pattern != null && Math.abs(sparsity - pattern.sparsity()) > 1e-9) {
                problems.add(new PruneProblem("sparsity", "N:M " + pattern + " prunes exactly " + pattern.sparsity()
                        + "; leave sparsity out or give that"));
            } else if (sparsity != null) {
                fraction = sparsity;
            }
        }
        MagnitudePruning.Scope magnitudeScope = null;
        if (scope != null) {
            try {
                magnitudeScope = MagnitudePruning.Scope.valueOf(scope.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new PruneProblem("scope", "unknown scope '" + scope + "' (known: layer, global)"));
            }
        }
        BlockScoring.Metric blockMetric = null;
        BlockScoring.Tokens blockTokens = null;
        if (!weights) {
            if (blocks == null) {
                problems.add(new PruneProblem("blocks", "required: how many blocks to remove"));
            }
            try {
                blockMetric = metric == null ? null : BlockScoring.Metric.of(metric.trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new PruneProblem("metric", e.getMessage()));
            }
            try {
                blockTokens = tokens == null ? null : BlockScoring.Tokens.of(tokens.trim());
            } catch (IllegalArgumentException e) {
                problems.add(new PruneProblem("tokens", e.getMessage()));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return switch (name) {
            case PruneMethod.Magnitude.NAME -> new PruneMethod.Magnitude(fraction, pattern, magnitudeScope);
            case PruneMethod.Wanda.NAME -> new PruneMethod.Wanda(fraction, pattern);
            case PruneMethod.SparseGpt.NAME -> new PruneMethod.SparseGpt(fraction, pattern,
                    blockSize == null ? SparseGptPruning.DEFAULT_BLOCK_SIZE : blockSize,
                    dampening == null ? SparseGptPruning.DEFAULT_DAMPENING : dampening);
            default -> new PruneMethod.BlockRemoval(blocks, blockMetric, blockTokens);
        };
    }

    private static void onlyFor(String method, String field, Object value, String owner, List<PruneProblem> problems) {
        if (value != null && !method.equals(owner)) {
            problems.add(new PruneProblem(field, "applies to " + owner + ", not " + method));
        }
    }
}
