package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.quant.CompressedTensors;
import dev.whittle.engine.tensor.Int4MatVec;
import dev.whittle.engine.tensor.Ops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a {@link Decoder} from a Hugging Face model folder: config.json decides the family and shapes, the
 * checkpoint's tensors (any stored dtype) are widened to fp32 once. A tied model's head reuses the embedding
 * array. Every tensor is checked against the shape the config implies, and a mismatch names the tensor.
 */
public final class DecoderLoader {

    /** Where the weights come from: the tensor {@code name}, which must have {@code shape}, as fp32. */
    @FunctionalInterface
    public interface TensorSource {
        float[] tensor(String name, long[] shape);
    }

    private final TensorSource source;
    private final ModelConfig config;

    private DecoderLoader(TensorSource source, ModelConfig config) {
        this.source = source;
        this.config = config;
    }

    /** Loads the model folder {@code dir} (config.json plus single or sharded safetensors). */
    public static Decoder load(Path dir, Progress progress) throws IOException {
        ModelConfig config = ModelConfig.load(dir);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return load(checkpoint, config, progress);
        }
    }

    /**
     * As {@link #load(Path, Progress)}, for a model that is only run (evaluated, generated from), never pruned or
     * trained: the linears of a pack-quantized int4 checkpoint also keep their packed form, so that decoding
     * multiplies the codes ({@link Linear#withInt4}) instead of the dequantised weights, reading an eighth of the
     * bytes. Prefill still runs on the dequantised weights.
     */
    public static Decoder loadForInference(Path dir, Progress progress) throws IOException {
        ModelConfig config = ModelConfig.load(dir);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            Decoder decoder = load(checkpoint, config, progress);
            if (!CompressedTensors.isPackQuantized(config)) {
                return decoder;
            }
            return decoder.withLinears(l -> {
                Int4MatVec.Matrix packed = CompressedTensors.int4(checkpoint, config, l.name(), l.out(), l.in());
                return packed == null ? l : l.withInt4(packed);
            });
        }
    }

    /** Builds the decoder from an open checkpoint (its arrays are copies: the checkpoint may be closed after). */
    public static Decoder load(Checkpoint checkpoint, ModelConfig config, Progress progress) {
        checkSupported(config, checkpoint.directory());
        return new DecoderLoader((name, shape) -> read(checkpoint, config, name, shape), config).build(progress);
    }

    /** Builds the decoder {@code config} describes from tensors supplied by name (in memory, random, ...). */
    public static Decoder load(ModelConfig config, TensorSource source, Progress progress) {
        checkSupported(config, config.source() == null ? null : config.source().getParent());
        return new DecoderLoader(source, config).build(progress);
    }

    private Decoder build(Progress progress) {
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        int layers = config.numHiddenLayers();
        float eps = (float) config.rmsNormEps();
        double[] frequencies = RopeFrequencies.of(config);
        float[] invFreq = new float[frequencies.length];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = (float) frequencies[i];
        }
        RotaryEmbedding rotary = new RotaryEmbedding(invFreq);

        float[] embedding = tensor("model.embed_tokens.weight", vocab, hidden);
        List<DecoderBlock> blocks = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            progress.checkCancelled();
            blocks.add(block(layer, eps, rotary));
            progress.report("load", layer + 1, layers, null);
        }
        float[] finalNorm = tensor("model.norm.weight", hidden);
        // Tied like transformers ties them: the head is the embedding, whatever lm_head.weight the file may hold.
        Linear head = config.tieWordEmbeddings()
                ? new Linear("lm_head", vocab, hidden, embedding, null)
                : new Linear("lm_head", vocab, hidden, tensor("lm_head.weight", vocab, hidden), null);
        return new Decoder(config, embedding, blocks, finalNorm, head, eps);
    }

    private DecoderBlock block(int layer, float eps, RotaryEmbedding rotary) {
        String p = "model.layers." + layer;
        int hidden = config.hiddenSize();
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        boolean qkvBias = config.qkvBias();
        Family.QkNorm qkNorm = config.family().qkNorm();
        int qNormWidth = qkNorm == Family.QkNorm.PER_HEAD ? headDim : heads * headDim;
        int kNormWidth = qkNorm == Family.QkNorm.PER_HEAD ? headDim : kvHeads * headDim;
        SelfAttention attention = new SelfAttention(
                linear(p + ".self_attn.q_proj", heads * headDim, hidden, qkvBias),
                linear(p + ".self_attn.k_proj", kvHeads * headDim, hidden, qkvBias),
                linear(p + ".self_attn.v_proj", kvHeads * headDim, hidden, qkvBias),
                linear(p + ".self_attn.o_proj", hidden, heads * headDim, config.outputProjectionBias()),
                qkNorm != Family.QkNorm.NONE ? tensor(p + ".self_attn.q_norm.weight", qNormWidth) : null,
                qkNorm != Family.QkNorm.NONE ? tensor(p + ".self_attn.k_norm.weight", kNormWidth) : null,
                heads, kvHeads, headDim, eps, config.attentionWindow(layer), rotary);
        MoeConfig moe = config.moe();
        FeedForward mlp = moe != null && moe.isSparseLayer(layer)
                ? experts(p, moe)
                : swiGlu(p + ".mlp", "gate_proj", "up_proj", "down_proj", config.intermediateSize(), config.mlpBias());
        return new DecoderBlock(p, tensor(p + ".input_layernorm.weight", hidden), attention,
                tensor(p + ".post_attention_layernorm.weight", hidden), mlp, eps);
    }

    /** Mixtral names its experts' projections w1 (gate), w3 (up), w2 (down) under block_sparse_moe. */
    private MoeFeedForward experts(String p, MoeConfig moe) {
        int hidden = config.hiddenSize();
        boolean mixtral = config.family() == Family.MIXTRAL;
        String module = p + (mixtral ? ".block_sparse_moe" : ".mlp");
        List<SwiGluMlp> experts = new ArrayList<>();
        for (int e = 0; e < moe.numExperts(); e++) {
            String expert = module + ".experts." + e;
            experts.add(mixtral
                    ? swiGlu(expert, "w1", "w3", "w2", moe.expertIntermediateSize(), false)
                    : swiGlu(expert, "gate_proj", "up_proj", "down_proj", moe.expertIntermediateSize(), false));
        }
        SwiGluMlp shared = moe.hasSharedExpert() ? swiGlu(module + ".shared_expert", "gate_proj", "up_proj",
                "down_proj", moe.sharedExpertIntermediateSize(), false) : null;
        Linear sharedGate = moe.hasSharedExpert() ? linear(module + ".shared_expert_gate", 1, hidden, false) : null;
        return new MoeFeedForward(linear(module + ".gate", moe.numExperts(), hidden, false), experts,
                moe.numExpertsPerToken(), moe.normTopkProb(), shared, sharedGate);
    }

    private SwiGluMlp swiGlu(String module, String gate, String up, String down, int intermediate, boolean bias) {
        int hidden = config.hiddenSize();
        return new SwiGluMlp(linear(module + "." + gate, intermediate, hidden, bias),
                linear(module + "." + up, intermediate, hidden, bias),
                linear(module + "." + down, hidden, intermediate, bias));
    }

    private Linear linear(String name, int out, int in, boolean bias) {
        return new Linear(name, out, in, tensor(name + ".weight", out, in), bias ? tensor(name + ".bias", out) : null);
    }

    private float[] tensor(String name, long... shape) {
        return source.tensor(name, shape);
    }

    /** The named tensor widened to fp32, after checking it exists with the expected shape. */
    private static float[] read(Checkpoint checkpoint, ModelConfig config, String name, long[] shape) {
        if (!checkpoint.contains(name) && name.endsWith(".weight") && CompressedTensors.isPackQuantized(config)) {
            // a quantized linear: its codes and scales read back as the fp32 weights they stand for
            float[] weights = CompressedTensors.dequantize(checkpoint, config,
                    name.substring(0, name.length() - ".weight".length()), shape);
            if (weights != null) {
                return weights;
            }
        }
        if (!checkpoint.contains(name)) {
            throw new ModelFormatException(checkpoint.directory(), name, "tensor missing from the checkpoint (a "
                    + config.architecture() + " with this config.json needs it)");
        }
        long[] actual = checkpoint.info(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new ModelFormatException(checkpoint.directory(), name, "shape " + Arrays.toString(actual)
                    + " does not match " + Arrays.toString(shape) + " implied by config.json");
        }
        float[] values = checkpoint.floats(name);
        // NaN or Inf weights would give NaN scores and losses that PRUNE, DISTILL and EVALUATE cannot detect later.
        int bad = Ops.firstNonFinite(values);
        if (bad >= 0) {
            throw new ModelFormatException(checkpoint.directory(), name, "element " + bad + " is " + values[bad]
                    + "; NaN and infinite weights are refused");
        }
        return values;
    }

    /** Refuses, with the reason, configs whose computation this decoder does not implement. */
    private static void checkSupported(ModelConfig config, Path dir) {
        String problem = null;
        MoeConfig moe = config.moe();
        if (config.get("clip_qkv") != null && !config.get("clip_qkv").isNull()) {
            problem = "clip_qkv " + config.get("clip_qkv") + " is not supported (only null)";
        } else if (moe != null && moe.numExpertsPerToken() > moe.numExperts()) {
            problem = "num_experts_per_tok " + moe.numExpertsPerToken() + " exceeds the " + moe.numExperts() + " experts";
        } else if (!config.hiddenAct().equals("silu")) {
            problem = "hidden_act '" + config.hiddenAct() + "' is not supported (only silu)";
        } else if (config.partialRotaryFactor() != 1.0) {
            problem = "partial_rotary_factor " + config.partialRotaryFactor() + " is not supported (only 1)";
        } else if (config.headDim() % 2 != 0) {
            problem = "head_dim " + config.headDim() + " must be even for rotary embeddings";
        } else if (config.numKeyValueHeads() <= 0 || config.numAttentionHeads() % config.numKeyValueHeads() != 0) {
            problem = "num_attention_heads " + config.numAttentionHeads() + " is not a multiple of num_key_value_heads "
                    + config.numKeyValueHeads();
        } else if (config.ropeScaling() != null && config.ropeScaling().type().equals("dynamic")) {
            problem = "dynamic rope scaling is not supported";
        }
        if (problem != null) {
            throw new ModelFormatException(dir == null ? null : dir.resolve(ModelConfig.FILE_NAME), null, problem);
        }
    }
}
