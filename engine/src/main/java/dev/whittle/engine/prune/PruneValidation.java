package dev.whittle.engine.prune;

import dev.whittle.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules of {@link PruneParameters} that Bean Validation's bounds cannot state, each problem against its field:
 * between fields (a sparsity N:M contradicts, global scope with N:M, invalid patterns, a calibration dataset and a
 * built-in set together), and against the model (a family the engine cannot prune, N:M that does not divide a chosen
 * matrix's inputs, tensor patterns that match nothing, more blocks to remove than the model can lose, expert methods on
 * a dense model or block removal or width pruning on a Mixture-of-Experts one, width ratios that round to nothing or to
 * everything, fewer experts left than a token is routed to).
 */
final class PruneValidation {

    /** The methods that remove or merge the experts of a Mixture-of-Experts model. */
    static final String EXPERT_METHODS = PruneParameters.Reap.NAME + ", " + PruneParameters.Frequency.NAME + ", "
            + PruneParameters.Ean.NAME + " or " + PruneParameters.MergeExperts.NAME;

    private PruneValidation() {
    }

    static List<PruneProblem> problems(PruneParameters parameters) {
        List<PruneProblem> problems = new ArrayList<>();
        if (parameters instanceof PruneParameters.WeightPruning weights) {
            NmSparsity nm = weights.nm();
            if (weights.sparsity() == null) {
                problems.add(new PruneProblem("sparsity", "required (or nm for N:M sparsity)"));
            } else if (nm != null && Math.abs(weights.sparsity() - nm.sparsity()) > 1e-9) {
                problems.add(new PruneProblem("sparsity", "N:M " + nm + " prunes exactly " + nm.sparsity()
                        + "; leave sparsity out or give that"));
            }
            if (weights instanceof PruneParameters.Magnitude m && m.scope() == MagnitudePruning.Scope.GLOBAL
                    && nm != null) {
                problems.add(new PruneProblem("scope", "global ranks unstructured sparsity across matrices; N:M is "
                        + "chosen within each group of a row, so give one or the other"));
            }
            problems.addAll(weights.tensors().syntaxProblems());
            if (weights instanceof PruneParameters.Layerwise l && l.owl()) {
                if (nm != null) {
                    problems.add(new PruneProblem("sparsityProfile", "owl gives each block its own unstructured "
                            + "sparsity; N:M is the same everywhere, so give one or the other"));
                } else if (weights.sparsity() != null && (weights.sparsity() - 2 * l.owlLambda() < 0
                        || weights.sparsity() + 2 * l.owlLambda() >= 1)) {
                    problems.add(new PruneProblem("owlLambda", "block sparsities may reach the target +- 2 x "
                            + l.owlLambda() + ", outside [0, 1) for sparsity " + weights.sparsity()));
                }
            }
        }
        if (parameters instanceof PruneParameters.Width width && width.mlpRatio() == 0 && width.headRatio() == 0) {
            problems.add(new PruneProblem("mlpRatio", "with mlpRatio and headRatio both 0 nothing is removed; give "
                    + "either above 0"));
        }
        if (parameters instanceof PruneParameters.Calibrated calibrated) {
            problems.addAll(calibrated.calibration().problems());
        }
        return problems;
    }

    static List<PruneProblem> problems(PruneParameters parameters, ModelConfig config) {
        List<PruneProblem> problems = new ArrayList<>();
        boolean moe = config.family().isMixtureOfExperts();
        if (!moe && parameters instanceof PruneParameters.ExpertReduction) {
            problems.add(new PruneProblem("method", parameters.name() + " reduces the experts of a Mixture-of-Experts "
                    + "model; " + config.architecture() + " is dense (prune it with magnitude, wanda, sparsegpt or "
                    + "block-removal)"));
            return problems;
        }
        if (moe && parameters instanceof PruneParameters.Width) {
            problems.add(new PruneProblem("method", parameters.name() + " cannot prune " + config.architecture()
                    + ": width pruning slices dense MLPs and attention; on a Mixture-of-Experts model PRUNE removes or "
                    + "merges experts (" + EXPERT_METHODS + ") or prunes weights inside them (magnitude, wanda, sparsegpt)"));
            return problems;
        }
        if (moe && parameters instanceof PruneParameters.BlockRemoval) {
            problems.add(new PruneProblem("method", parameters.name() + " cannot prune " + config.architecture()
                    + ": on a Mixture-of-Experts model PRUNE removes or merges experts (" + EXPERT_METHODS + ") or prunes "
                    + "weights inside them (magnitude, wanda, sparsegpt); removing whole blocks is not implemented for it"));
            return problems;
        }
        switch (parameters) {
            case PruneParameters.WeightPruning weights -> weightProblems(weights, config, problems);
            case PruneParameters.BlockRemoval removal -> {
                int layers = config.numHiddenLayers();
                if (removal.blocks() >= layers) {
                    problems.add(new PruneProblem("blocks", "the model has " + layers + " blocks; removing "
                            + removal.blocks() + (removal.blocks() == layers ? " would leave none" : " is more than it has")
                            + " (at most " + (layers - 1) + ")"));
                }
            }
            case PruneParameters.Width width -> widthProblems(width, config, problems);
            case PruneParameters.ExpertReduction experts -> expertProblems(experts, config, problems);
        }
        return problems;
    }

    private static void widthProblems(PruneParameters.Width method, ModelConfig config, List<PruneProblem> problems) {
        int channels = config.intermediateSize();
        int removed = method.removedChannelsOf(channels);
        int multiple = PruneParameters.Width.CHANNEL_MULTIPLE;
        if (method.mlpRatio() > 0 && removed == 0) {
            problems.add(new PruneProblem("mlpRatio", method.mlpRatio() + " of " + channels + " channels rounds to none "
                    + "removed (channels go in multiples of " + multiple + "; at least " + multiple / 2.0 / channels
                    + " removes " + multiple + ")"));
        } else if (removed > 0 && channels - removed < multiple) {
            problems.add(new PruneProblem("mlpRatio", "removing " + removed + " of " + channels + " channels would "
                    + "leave " + (channels - removed) + "; at least " + multiple + " must stay"));
        }
        int groups = config.numKeyValueHeads();
        int removedGroups = method.removedGroupsOf(groups);
        if (method.headRatio() > 0 && removedGroups == 0) {
            problems.add(new PruneProblem("headRatio", method.headRatio() + " of " + groups + " key-value head groups "
                    + "rounds to none removed (heads go as whole groups; at least " + 0.5 / groups + " removes one)"));
        } else if (removedGroups >= groups) {
            problems.add(new PruneProblem("headRatio", "removing " + removedGroups + " of " + groups + " key-value head "
                    + "groups would leave none; at least one must stay (at most " + (groups - 1) + " can go)"));
        }
    }

    private static void expertProblems(PruneParameters.ExpertReduction method, ModelConfig config,
                                       List<PruneProblem> problems) {
        if (method.experts() == null) {
            return; // a missing fraction is Bean Validation's to report
        }
        int total = config.moe().numExperts();
        int topK = config.moe().numExpertsPerToken();
        int removed = method.removedOf(total);
        if (removed == 0) {
            problems.add(new PruneProblem("experts", method.experts() + " of " + total + " experts rounds to none "
                    + "removed (at least " + 0.5 / total + " removes one)"));
        } else if (total - removed < topK) {
            problems.add(new PruneProblem("experts", "removing " + removed + " of " + total + " experts would leave "
                    + (total - removed) + ", fewer than the " + topK + " each token is routed to (at most "
                    + (total - topK) + " can go)"));
        }
    }

    private static void weightProblems(PruneParameters.WeightPruning method, ModelConfig config,
                                       List<PruneProblem> problems) {
        Set<String> chosen;
        try {
            chosen = method.tensors().select(TensorSelection.candidates(config));
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
    static int inputs(ModelConfig config, String name) {
        if (name.endsWith("o_proj.weight")) {
            return config.numAttentionHeads() * config.headDim();
        }
        if (name.contains(".shared_expert.") && name.endsWith("down_proj.weight")) {
            return config.moe().sharedExpertIntermediateSize();
        }
        if (name.contains(".experts.") && (name.endsWith("down_proj.weight") || name.endsWith("w2.weight"))) {
            return config.moe().expertIntermediateSize();
        }
        if (name.endsWith("down_proj.weight")) {
            return config.intermediateSize();
        }
        return config.hiddenSize();
    }
}
