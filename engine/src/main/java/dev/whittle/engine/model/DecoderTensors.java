package dev.whittle.engine.model;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.OutputTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A decoder's weights as the tensors of a Hugging Face checkpoint, ready for {@code io.ModelFolderWriter}: blocks
 * are numbered by their place in the running list, so a model saved after block removal is an ordinary model with
 * fewer layers; {@link #config} is its config.json.
 */
public final class DecoderTensors {

    private DecoderTensors() {
    }

    /** Every tensor, in the order transformers declares the modules, stored as {@code dtype}. */
    public static List<OutputTensor> of(Decoder decoder, DType dtype) {
        int hidden = decoder.hiddenSize();
        List<OutputTensor> tensors = new ArrayList<>();
        tensors.add(OutputTensor.of("model.embed_tokens.weight", dtype,
                new long[] {decoder.embeddingRows(), hidden}, decoder.embedding()));
        List<DecoderBlock> blocks = decoder.blocks();
        for (int position = 0; position < blocks.size(); position++) {
            DecoderBlock block = blocks.get(position);
            String prefix = "model.layers." + position;
            tensors.add(vector(prefix + ".input_layernorm.weight", dtype, block.inputNorm()));
            SelfAttention attention = block.attention();
            for (Linear linear : attention.linears()) {
                addLinear(tensors, block, prefix, linear, dtype);
            }
            if (attention.normalisesQk()) {
                tensors.add(vector(prefix + ".self_attn.q_norm.weight", dtype, attention.qNorm()));
                tensors.add(vector(prefix + ".self_attn.k_norm.weight", dtype, attention.kNorm()));
            }
            tensors.add(vector(prefix + ".post_attention_layernorm.weight", dtype, block.postAttentionNorm()));
            for (Linear linear : block.mlp().linears()) {
                addLinear(tensors, block, prefix, linear, dtype);
            }
        }
        tensors.add(vector("model.norm.weight", dtype, decoder.finalNorm()));
        if (decoder.lmHead().weight() != decoder.embedding()) {
            Linear head = decoder.lmHead();
            tensors.add(OutputTensor.of("lm_head.weight", dtype, new long[] {head.out(), head.in()}, head.weight()));
        }
        return tensors;
    }

    /** The decoder's config with its current number of blocks. */
    public static ModelConfig config(Decoder decoder) {
        return decoder.config().withNumHiddenLayers(decoder.blocks().size());
    }

    /** A block's linear layer renamed from its original prefix to {@code prefix} (the block's new place). */
    private static void addLinear(List<OutputTensor> tensors, DecoderBlock block, String prefix, Linear linear, DType dtype) {
        String name = prefix + linear.name().substring(block.name().length());
        tensors.add(OutputTensor.of(name + ".weight", dtype, new long[] {linear.out(), linear.in()}, linear.weight()));
        if (linear.bias() != null) {
            tensors.add(vector(name + ".bias", dtype, linear.bias()));
        }
    }

    private static OutputTensor vector(String name, DType dtype, float[] values) {
        return OutputTensor.of(name, dtype, new long[] {values.length}, values);
    }
}
