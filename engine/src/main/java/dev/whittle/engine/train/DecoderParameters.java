package dev.whittle.engine.train;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.LowRankAdapter;
import dev.whittle.engine.model.SelfAttention;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a {@link Decoder} as training parameters, under their Hugging Face checkpoint names and sharing
 * the decoder's arrays. A tied head is the embedding, so it appears once (as {@code model.embed_tokens.weight})
 * and collects the gradients of both uses. A layer's LoRA adapter adds {@code <layer>.lora_A.weight} and
 * {@code <layer>.lora_B.weight} after it.
 */
public final class DecoderParameters {

    private DecoderParameters() {
    }

    /** Every weight of the decoder, trainable, decayed by {@link Parameter#decaysByConvention}. */
    public static ParameterSet of(Decoder decoder) {
        List<Parameter> out = new ArrayList<>();
        int hidden = decoder.hiddenSize();
        out.add(Parameter.trainable("model.embed_tokens.weight", new int[]{decoder.embeddingRows(), hidden},
                decoder.embedding()));
        for (DecoderBlock block : decoder.blocks()) {
            String p = block.name();
            SelfAttention attention = block.attention();
            addLinear(out, attention.qProj());
            addLinear(out, attention.kProj());
            addLinear(out, attention.vProj());
            addLinear(out, attention.oProj());
            if (attention.normalisesQk()) {
                out.add(Parameter.trainable(p + ".self_attn.q_norm.weight", new int[]{attention.headDim()},
                        attention.qNorm()));
                out.add(Parameter.trainable(p + ".self_attn.k_norm.weight", new int[]{attention.headDim()},
                        attention.kNorm()));
            }
            for (Linear linear : block.mlp().linears()) {
                addLinear(out, linear);
            }
            out.add(Parameter.trainable(p + ".input_layernorm.weight", new int[]{hidden}, block.inputNorm()));
            out.add(Parameter.trainable(p + ".post_attention_layernorm.weight", new int[]{hidden},
                    block.postAttentionNorm()));
        }
        out.add(Parameter.trainable("model.norm.weight", new int[]{hidden}, decoder.finalNorm()));
        if (!isTied(decoder)) {
            addLinear(out, decoder.lmHead());
        }
        return new ParameterSet(out);
    }

    public static boolean isTied(Decoder decoder) {
        return decoder.lmHead().weight() == decoder.embedding();
    }

    /**
     * Each weight array of the decoder mapped to its parameter; fails naming the weight when the set lacks one
     * (a frozen weight must still be in the set, frozen) or holds a tensor that is not the decoder's.
     */
    static Map<float[], Parameter> byArray(Decoder decoder, ParameterSet parameters) {
        Map<float[], Parameter> map = new IdentityHashMap<>();
        for (Parameter p : parameters.all()) {
            map.put(p.value(), p);
        }
        ParameterSet expected = of(decoder);
        for (Parameter e : expected.all()) {
            if (!map.containsKey(e.value())) {
                throw new IllegalArgumentException("the parameter set has no entry for the decoder's " + e.name()
                        + " (freeze it rather than leave it out)");
            }
        }
        if (map.size() != expected.all().size()) {
            throw new IllegalArgumentException("the parameter set holds " + map.size() + " tensors, the decoder has "
                    + expected.all().size() + ": some are not this decoder's weights");
        }
        return map;
    }

    private static void addLinear(List<Parameter> out, Linear linear) {
        out.add(Parameter.trainable(linear.name() + ".weight", new int[]{linear.out(), linear.in()}, linear.weight()));
        if (linear.bias() != null) {
            out.add(Parameter.trainable(linear.name() + ".bias", new int[]{linear.out()}, linear.bias()));
        }
        LowRankAdapter adapter = linear.adapter();
        if (adapter != null) {
            // PEFT's names, without its "base_model.model." prefix.
            out.add(Parameter.trainable(linear.name() + ".lora_A.weight", new int[]{adapter.rank(), linear.in()},
                    adapter.a()));
            out.add(Parameter.trainable(linear.name() + ".lora_B.weight", new int[]{linear.out(), adapter.rank()},
                    adapter.b()));
        }
    }
}
