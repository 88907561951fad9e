package dev.whittle.engine.prune.experts;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGluMlp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Removes experts from a Mixture-of-Experts decoder: each sparse layer keeps the experts it is given, its router's
 * rows of the others are sliced out, the kept experts are renumbered 0..n-1 in their old order (their checkpoint
 * names follow), and the config's expert count ({@code num_local_experts} for Mixtral, {@code num_experts} for the
 * Qwen MoEs and OLMoE) is rewritten, so the saved model loads wherever the original did. Transformers has one expert
 * count per model, so every sparse layer must keep as many; fewer than top-k is refused.
 */
public final class ExpertRemoval {

    private ExpertRemoval() {
    }

    /**
     * @param kept by block position, the experts that sparse block keeps (every sparse block must be listed)
     * @return a decoder sharing the kept weights with {@code decoder}
     */
    public static Decoder keep(Decoder decoder, Map<Integer, int[]> kept) {
        return withSparseLayers(decoder, (position, moe) -> {
            int[] experts = kept.get(position);
            if (experts == null) {
                throw new IllegalArgumentException("block " + position + " is sparse but no kept experts were given");
            }
            return keep(moe, experts);
        });
    }

    /**
     * {@code decoder} with each sparse block's layer replaced by {@code layer(position, moe)} and the config's expert
     * count rewritten to theirs, which must be one count for all.
     */
    static Decoder withSparseLayers(Decoder decoder, BiFunction<Integer, MoeFeedForward, MoeFeedForward> layer) {
        if (decoder.config().moe() == null) {
            throw new IllegalArgumentException("expert removal needs a Mixture-of-Experts model, not "
                    + decoder.config().family());
        }
        int count = -1;
        List<DecoderBlock> blocks = new ArrayList<>();
        for (int position = 0; position < decoder.blocks().size(); position++) {
            DecoderBlock block = decoder.blocks().get(position);
            if (!(block.mlp() instanceof MoeFeedForward moe)) {
                blocks.add(block);
                continue;
            }
            MoeFeedForward replaced = layer.apply(position, moe);
            int experts = replaced.experts().size();
            if (count >= 0 && experts != count) {
                throw new IllegalArgumentException("every sparse layer must keep as many experts (config.json has one "
                        + "count): block " + position + " keeps " + experts + ", an earlier one " + count);
            }
            count = experts;
            blocks.add(new DecoderBlock(block.name(), block.inputNorm(), block.attention(), block.postAttentionNorm(),
                    replaced, block.eps()));
        }
        String field = decoder.config().family() == Family.MIXTRAL ? "num_local_experts" : "num_experts";
        return new Decoder(decoder.config().with(field, count), decoder.embedding(), blocks, decoder.finalNorm(),
                decoder.lmHead(), decoder.eps());
    }

    /** One sparse layer with only {@code experts} (ascending, distinct, at least top-k). */
    static MoeFeedForward keep(MoeFeedForward moe, int[] experts) {
        int total = moe.experts().size();
        if (experts.length < moe.topK()) {
            throw new IllegalArgumentException("keeping " + experts.length + " experts is fewer than the "
                    + moe.topK() + " each token is routed to");
        }
        for (int i = 0; i < experts.length; i++) {
            if (experts[i] < 0 || experts[i] >= total || (i > 0 && experts[i] <= experts[i - 1])) {
                throw new IllegalArgumentException("kept experts must be ascending, distinct and below " + total + ": "
                        + Arrays.toString(experts));
            }
        }
        Linear router = moe.router();
        int hidden = router.in();
        float[] rows = new float[experts.length * hidden];
        List<SwiGluMlp> renumbered = new ArrayList<>();
        for (int i = 0; i < experts.length; i++) {
            System.arraycopy(router.weight(), experts[i] * hidden, rows, i * hidden, hidden);
            SwiGluMlp expert = moe.experts().get(experts[i]);
            renumbered.add(new SwiGluMlp(renamed(expert.gate(), experts[i], i), renamed(expert.up(), experts[i], i),
                    renamed(expert.down(), experts[i], i)));
        }
        return new MoeFeedForward(new Linear(router.name(), experts.length, hidden, rows, null), renumbered,
                moe.topK(), moe.normalizesTopK(), moe.sharedExpert(), moe.sharedExpertGate());
    }

    /** {@code ...experts.<from>.w1} as {@code ...experts.<to>.w1}. */
    static Linear renamed(Linear linear, int from, int to) {
        String marker = ".experts." + from + ".";
        int at = linear.name().lastIndexOf(marker);
        if (at < 0) {
            throw new IllegalStateException(linear.name() + " is not named as expert " + from);
        }
        String name = linear.name().substring(0, at) + ".experts." + to + "." + linear.name().substring(at + marker.length());
        return new Linear(name, linear.out(), linear.in(), linear.weight(), linear.bias());
    }
}
