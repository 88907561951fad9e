package dev.whittle.engine.prune.width;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.ParameterCount;
import dev.whittle.engine.model.SelfAttention;
import dev.whittle.engine.prune.BlockSequence;
import dev.whittle.engine.prune.CalibrationWindows;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Structured width pruning in the manner of Minitron (Muralidharan et al. 2024, "Compact Language Models via Pruning
 * and Knowledge Distillation"): every block loses the same number of MLP channels and of key-value head groups, the
 * least important by {@link WidthImportance}, and the result is a smaller dense model that HF transformers loads
 * (one {@code intermediate_size} and one head count per model). Not FLAP: FLAP compensates the removed channels'
 * mean contribution with a bias on o_proj and down_proj, which Llama checkpoints do not have. There is no retraining
 * here; Minitron follows pruning with distillation (the DISTILL stage).
 * <p>
 * The calibration windows walk the model block by block ({@link BlockSequence}): each block is scored on the outputs
 * of the blocks before it as already pruned, cut, and its cut copy run to make the next block's inputs. Progress goes
 * per block; cancellation is honoured between blocks and windows.
 */
public final class WidthPruning {

    /** The pruned model (sharing the embedding, norms and head with the source) and what was removed. */
    public record Result(Decoder decoder, WidthStatistics statistics) {
    }

    private WidthPruning() {
    }

    /**
     * Removes {@code removedChannels} MLP channels and {@code removedGroups} KV head groups from every block of the
     * dense {@code decoder}, chosen on {@code windows}; both leave at least one.
     */
    public static Result prune(Decoder decoder, CalibrationWindows windows, int removedChannels, int removedGroups,
                               Progress progress) {
        List<DecoderBlock> blocks = decoder.blocks();
        BlockSequence sequence = new BlockSequence(decoder, windows);
        List<DecoderBlock> cut = new ArrayList<>();
        List<WidthStatistics.BlockWidths> layers = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            progress.checkCancelled();
            DecoderBlock block = blocks.get(i);
            WidthImportance importance = new WidthImportance(block);
            sequence.observe(i, importance, importance::startSample, progress);
            int[] channels = kept(importance.channelScores(), removedChannels);
            double[] groupScores = importance.groupScores();
            int[] groups = kept(groupScores, removedGroups);
            DecoderBlock narrower = WidthSlicing.slice(block, channels, groups);
            cut.add(narrower);
            layers.add(layer(i, block, narrower, groupScores.length, groups));
            if (i + 1 < blocks.size()) {
                sequence.advance(i, narrower, progress);
            }
            progress.report("prune", i + 1, blocks.size(), "block " + i + ": " + channels.length + " channels, "
                    + narrower.attention().heads() + " heads kept");
        }
        SelfAttention first = cut.getFirst().attention();
        ModelConfig config = config(decoder.config(), channels(cut.getFirst()), first.heads(), first.kvHeads(),
                first.headDim());
        Decoder pruned = new Decoder(config, decoder.embedding(), cut, decoder.finalNorm(), decoder.lmHead(),
                decoder.eps());
        return new Result(pruned, new WidthStatistics(List.copyOf(layers), ParameterCount.of(decoder.config()),
                ParameterCount.of(config)));
    }

    /**
     * The config.json of the narrower model: {@code intermediate_size} and both head counts rewritten, and
     * {@code head_dim} written explicitly, since {@code hidden_size / num_attention_heads} no longer gives it.
     */
    static ModelConfig config(ModelConfig config, int intermediate, int heads, int kvHeads, int headDim) {
        ObjectNode json = config.json(); // set together: each head count alone may not divide the other
        json.put("intermediate_size", intermediate);
        json.put("num_attention_heads", heads);
        json.put("num_key_value_heads", kvHeads);
        json.put("head_dim", headDim);
        return ModelConfig.of(json);
    }

    /**
     * The indices, ascending, of all but the {@code removed} lowest {@code scores}; of equal scores the earlier
     * goes first, so exactly {@code removed} go.
     */
    static int[] kept(double[] scores, int removed) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> {
            int byScore = Double.compare(rank(scores[a]), rank(scores[b]));
            return byScore != 0 ? byScore : Integer.compare(a, b);
        });
        int[] kept = new int[scores.length - removed];
        for (int k = 0; k < kept.length; k++) {
            kept[k] = order[removed + k];
        }
        Arrays.sort(kept);
        return kept;
    }

    /** A NaN score (from a NaN activation) ranks as the most important, so it is never what decides a removal. */
    private static double rank(double score) {
        return Double.isNaN(score) ? Double.POSITIVE_INFINITY : score;
    }

    private static WidthStatistics.BlockWidths layer(int position, DecoderBlock before, DecoderBlock after, int kvHeads,
                                               int[] keptGroups) {
        List<Integer> removedGroups = new ArrayList<>();
        for (int g = 0, k = 0; g < kvHeads; g++) {
            if (k < keptGroups.length && keptGroups[k] == g) {
                k++;
            } else {
                removedGroups.add(g);
            }
        }
        int channels = channels(after);
        int heads = after.attention().heads();
        return new WidthStatistics.BlockWidths(position, channels, channels(before) - channels, heads,
                before.attention().heads() - heads, after.attention().kvHeads(), List.copyOf(removedGroups),
                parameters(before), parameters(after));
    }

    private static int channels(DecoderBlock block) {
        return ((dev.whittle.engine.model.SwiGluMlp) block.mlp()).intermediate();
    }

    private static long parameters(DecoderBlock block) {
        long total = 0;
        for (Linear linear : block.linears()) {
            total += (long) linear.out() * linear.in() + (linear.bias() == null ? 0 : linear.bias().length);
        }
        return total;
    }
}
