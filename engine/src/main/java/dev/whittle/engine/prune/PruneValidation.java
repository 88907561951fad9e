package dev.whittle.engine.prune;

import dev.whittle.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checks of a typed request against the model it is for, made before any work (the API answers them with a
 * 422): a model the engine cannot run, sparsity outside [0, 1), N:M that does not divide a chosen matrix's inputs,
 * global scope with N:M, tensor patterns that match nothing, more blocks to remove than the model can lose,
 * impossible SparseGPT settings. Each problem names its field.
 */
public final class PruneValidation {

    private PruneValidation() {
    }

    /** Every problem of running {@code method} on {@code tensors} of the model {@code config} describes. */
    public static List<PruneProblem> problems(PruneMethod method, TensorSelection tensors, ModelConfig config) {
        List<PruneProblem> problems = new ArrayList<>();
        if (config.family().isMixtureOfExperts()) {
            problems.add(new PruneProblem("model", method.name() + " cannot prune " + config.architecture()
                    + ": pruning the experts of a Mixture-of-Experts MLP is not implemented yet (the model runs; dense "
                    + "Llama, Mistral, Qwen2 and Qwen3 can be pruned)"));
            return problems;
        }
        switch (method) {
            case PruneMethod.WeightPruning weights -> weightProblems(weights, tensors, config, problems);
            case PruneMethod.BlockRemoval removal -> {
                int layers = config.numHiddenLayers();
                if (removal.blocks() < 1) {
                    problems.add(new PruneProblem("blocks", "must be at least 1, got " + removal.blocks()));
                } else if (removal.blocks() >= layers) {
                    problems.add(new PruneProblem("blocks", "the model has " + layers + " blocks; removing "
                            + removal.blocks() + (removal.blocks() == layers ? " would leave none" : " is more than it has")
                            + " (at most " + (layers - 1) + ")"));
                }
                if (!tensors.include().isEmpty() || !tensors.exclude().isEmpty()) {
                    problems.add(new PruneProblem(tensors.include().isEmpty() ? "exclude" : "include",
                            "block-removal removes whole blocks; tensor patterns do not apply"));
                }
            }
        }
        return problems;
    }

    /** Throws a {@link PruneProblemException} listing every problem, if there are any. */
    public static void check(PruneMethod method, TensorSelection tensors, ModelConfig config) {
        List<PruneProblem> problems = problems(method, tensors, config);
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
    }

    private static void weightProblems(PruneMethod.WeightPruning method, TensorSelection tensors, ModelConfig config,
                                       List<PruneProblem> problems) {
        if (method.nm() == null && !(method.sparsity() >= 0 && method.sparsity() < 1)) {
            problems.add(new PruneProblem("sparsity", "must be in [0, 1), got " + method.sparsity()));
        }
        if (method instanceof PruneMethod.Magnitude m && m.scope() == MagnitudePruning.Scope.GLOBAL && m.nm() != null) {
            problems.add(new PruneProblem("scope", "global ranks unstructured sparsity across matrices; N:M is "
                    + "chosen within each group of a row, so give one or the other"));
        }
        if (method instanceof PruneMethod.SparseGpt s) {
            if (s.blockSize() < 1) {
                problems.add(new PruneProblem("blockSize", "must be at least 1, got " + s.blockSize()));
            }
            if (!(s.dampening() > 0) || Double.isInfinite(s.dampening())) {
                problems.add(new PruneProblem("dampening", "must be a positive number, got " + s.dampening()));
            }
        }
        Set<String> chosen;
        try {
            chosen = tensors.select(TensorSelection.candidates(config));
        } catch (PruneProblemException e) {
            problems.addAll(e.problems());
            return;
        }
        if (method.nm() != null) {
            int m = method.nm().m();
            for (String name : chosen) {
                int in = inputs(config, name);
                if (in % m != 0) {
                    problems.add(new PruneProblem("nm", method.nm() + " needs inputs in whole groups of " + m + ", but "
                            + name + " has " + in + " inputs"));
                    break;
                }
            }
        }
    }

    /** The input width of a block linear weight, from its name. */
    private static int inputs(ModelConfig config, String name) {
        if (name.endsWith("o_proj.weight")) {
            return config.numAttentionHeads() * config.headDim();
        }
        if (name.endsWith("down_proj.weight")) {
            return config.intermediateSize();
        }
        return config.hiddenSize();
    }
}
