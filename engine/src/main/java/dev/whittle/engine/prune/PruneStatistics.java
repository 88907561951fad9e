package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.prune.experts.ExpertMerging;
import dev.whittle.engine.prune.experts.ExpertScoring;
import dev.whittle.engine.prune.width.WidthStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a pruning run produced, as stored with the model and returned by the API (a plain record tree: Jackson
 * writes it as JSON as it is). Counts are over the output model; multiply-accumulates per token count the block
 * linear layers and the LM head (attention scores depend on the context and are left out; the embedding is a
 * lookup), dense ({@code out x in} each) and effective (only non-zero weights). In a Mixture-of-Experts layer a token
 * runs top-k of its n routed experts, so their weights count per token by the share {@code k / n} (the expected
 * count under any routing); parameters count every expert once.
 *
 * @param method               the method's name
 * @param settings             its parameters
 * @param matrices             every block linear weight, with the output model's tensor name
 * @param blocks               each output block's linear weights together
 * @param parameters           all parameters of the output model (a tied head once)
 * @param activeParameters     those a token uses: routed experts counted by {@code k / n}; the parameters of a dense
 *                             model
 * @param nonZeros             those that are not zero
 * @param sparsity             {@code 1 - nonZeros / parameters}
 * @param prunedParameters     parameters of the matrices the method pruned
 * @param prunedNonZeros       their non-zeros
 * @param prunedSparsity       their sparsity: the target, exactly, for unstructured and N:M pruning
 * @param sourceMacsPerToken   dense multiply-accumulates per token of the source model
 * @param macsPerTokenDense    of the output model, every weight counted
 * @param macsPerTokenEffective of the output model, zeros skipped
 * @param fileBytes            the output folder's files together
 * @param weightBytes          its safetensors files
 * @param dtype                the stored dtype of the weights
 * @param calibration          the calibration set, null for magnitude pruning
 * @param blockScores          block removal's scores and choice, null otherwise
 * @param expertScores         expert pruning's scores per expert per layer and the experts kept, null otherwise
 * @param expertMerges         expert merging's frequencies per expert per layer and the groups merged, null otherwise
 * @param width                width pruning's channels and heads kept and removed per layer and the parameters before
 *                             and after, null otherwise
 * @param warnings             things the user should know (a Hessian that needed more dampening)
 */
public record PruneStatistics(String method, PruneParameters settings, List<Matrix> matrices, List<Block> blocks,
                              long parameters, long activeParameters, long nonZeros, double sparsity, long prunedParameters,
                              long prunedNonZeros, double prunedSparsity, long sourceMacsPerToken,
                              long macsPerTokenDense, long macsPerTokenEffective, long fileBytes, long weightBytes,
                              String dtype, CalibrationSummary calibration, BlockScoring.Result blockScores,
                              ExpertScoring.Result expertScores, ExpertMerging.Result expertMerges,
                              WidthStatistics width, List<String> warnings) {

    /** One linear weight: {@code [rows x cols]}, its non-zeros, and whether the method pruned it. */
    public record Matrix(String name, int block, int rows, int cols, long nonZeros, double sparsity, boolean pruned) {
    }

    /**
     * One output block's linear weights together; {@code source} is the block's name in the source model;
     * {@code target} the sparsity an OWL profile gave its chosen matrices (null for a uniform one).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Block(int index, String source, long parameters, long nonZeros, double sparsity, Double target) {
    }

    /** The calibration set: where from, how drawn, how much, and the fingerprint of its token windows. */
    public record CalibrationSummary(String source, String sampling, int samples, int sequenceLength, long seed,
                              String fingerprint) {
        public static CalibrationSummary of(CalibrationWindows windows) {
            return windows == null ? null : new CalibrationSummary(windows.source(), windows.sampling(), windows.samples(),
                    windows.length(), windows.seed(), windows.fingerprint());
        }
    }

    /** Dense multiply-accumulates per token of {@code decoder}: its block linears (routed experts by k / n) and head. */
    static long denseMacsPerToken(Decoder decoder) {
        double macs = (double) decoder.lmHead().out() * decoder.lmHead().in();
        for (DecoderBlock block : decoder.blocks()) {
            for (Linear linear : block.linears()) {
                macs += (double) linear.out() * linear.in() * shareOfTokens(block, linear);
            }
        }
        return Math.round(macs);
    }

    /** The share of tokens that run {@code linear}: k / n for a routed expert's, 1 for every other linear. */
    static double shareOfTokens(DecoderBlock block, Linear linear) {
        if (block.mlp() instanceof MoeFeedForward moe && linear.name().contains(".experts.")) {
            return (double) moe.topK() / moe.experts().size();
        }
        return 1;
    }

    /**
     * Measures the output model {@code result}: {@code prunedSources} are the source names ({@code linear.name() +
     * ".weight"}) of the matrices the method pruned; {@code folder} the written model.
     */
    static PruneStatistics measure(PruneParameters method, Decoder result, Set<String> prunedSources, long sourceMacs,
                                   Path folder, DType dtype, CalibrationWindows windows, BlockScoring.Result blockScores,
                                   ExpertScoring.Result expertScores, ExpertMerging.Result expertMerges,
                                   WidthStatistics width, double[] blockTargets, List<String> warnings)
            throws IOException {
        List<Matrix> matrices = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        long prunedParameters = 0;
        long prunedNonZeros = 0;
        double effectiveMacs = Masks.nonZeros(result.lmHead().weight());
        double inactive = 0;
        for (int position = 0; position < result.blocks().size(); position++) {
            DecoderBlock block = result.blocks().get(position);
            long blockParameters = 0;
            long blockNonZeros = 0;
            for (Linear linear : block.linears()) {
                long size = (long) linear.out() * linear.in();
                long nonZeros = Masks.nonZeros(linear.weight());
                boolean pruned = prunedSources.contains(linear.name() + ".weight");
                String name = "model.layers." + position + linear.name().substring(block.name().length()) + ".weight";
                matrices.add(new Matrix(name, position, linear.out(), linear.in(), nonZeros, sparsity(nonZeros, size), pruned));
                blockParameters += size;
                blockNonZeros += nonZeros;
                double share = shareOfTokens(block, linear);
                effectiveMacs += nonZeros * share;
                inactive += size * (1 - share);
                if (pruned) {
                    prunedParameters += size;
                    prunedNonZeros += nonZeros;
                }
            }
            blocks.add(new Block(position, block.name(), blockParameters, blockNonZeros,
                    sparsity(blockNonZeros, blockParameters),
                    blockTargets == null || Double.isNaN(blockTargets[position]) ? null : blockTargets[position]));
        }
        long parameters = 0;
        long nonZeros = 0;
        for (OutputTensor tensor : DecoderTensors.of(result, DType.F32)) {
            float[] values = tensor.values().get();
            parameters += values.length;
            nonZeros += Masks.nonZeros(values);
        }
        long fileBytes = 0;
        long weightBytes = 0;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                long size = Files.size(file);
                fileBytes += size;
                if (file.getFileName().toString().endsWith(".safetensors")) {
                    weightBytes += size;
                }
            }
        }
        return new PruneStatistics(method.name(), method, List.copyOf(matrices), List.copyOf(blocks), parameters,
                parameters - Math.round(inactive), nonZeros, sparsity(nonZeros, parameters), prunedParameters,
                prunedNonZeros, sparsity(prunedNonZeros, prunedParameters), sourceMacs, denseMacsPerToken(result),
                Math.round(effectiveMacs), fileBytes, weightBytes, dtype.torchName(), CalibrationSummary.of(windows),
                blockScores, expertScores, expertMerges, width, List.copyOf(warnings));
    }

    private static double sparsity(long nonZeros, long size) {
        return size == 0 ? 0 : 1 - (double) nonZeros / size;
    }
}
