package dev.whittle.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes small random models in the real Hugging Face layout for tests: config.json with the fields the
 * family's real checkpoints carry, the family's real tensor names and shapes (a fixed seed gives the same
 * weights every time), and a working byte-level BPE tokenizer ({@link TestTokenizers}).
 *
 * <pre>{@code
 * ModelConfig config = TestModels.write(dir, Family.QWEN3, 42);
 * ModelConfig small = TestModels.write(dir, Family.LLAMA, 7, TestModels.options().layers(1).dtype(DType.BF16).tied(true));
 * }</pre>
 */
public final class TestModels {

    private static final JsonMapper JSON = new JsonMapper();

    private TestModels() {
    }

    /**
     * Shape and storage of a test model. {@code headDim} 0 means hidden / heads; {@code maxShardBytes} 0 means a
     * single model.safetensors; {@code experts}, {@code expertsPerToken}, {@code expertIntermediate} and
     * {@code sharedExpertIntermediate} only matter for MoE families (Mixtral and OLMoE experts take
     * {@code intermediate}, as their configs define; the shared expert is Qwen2-MoE's); {@code extraConfig} fields
     * are put into config.json last (rope_scaling, sliding_window, ...).
     */
    public record Options(int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocab,
            DType dtype, boolean tied, long maxShardBytes, int experts, int expertsPerToken, int expertIntermediate,
            int sharedExpertIntermediate, Map<String, Object> extraConfig) {

        public Options layers(int v) { return new Options(v, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options hidden(int v) { return new Options(layers, v, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options heads(int v) { return new Options(layers, hidden, v, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options kvHeads(int v) { return new Options(layers, hidden, heads, v, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options headDim(int v) { return new Options(layers, hidden, heads, kvHeads, v, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options intermediate(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, v, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options vocab(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, v, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options dtype(DType v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, v, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options tied(boolean v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, v, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        /** Shard the weights at this many bytes (0: one file). */
        public Options maxShardBytes(long v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, v, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        /** Shard into several files (a limit small enough to give one shard per few tensors). */
        public Options sharded(boolean v) { return maxShardBytes(v ? 4L * hidden * hidden : 0); }
        public Options experts(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, v, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options expertsPerToken(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, v, expertIntermediate, sharedExpertIntermediate, extraConfig); }
        public Options expertIntermediate(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, v, sharedExpertIntermediate, extraConfig); }
        public Options sharedExpertIntermediate(int v) { return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, v, extraConfig); }
        /** Also put {@code field: value} into config.json (after the generated fields, so it overrides them). */
        public Options config(String field, Object value) {
            Map<String, Object> extra = new LinkedHashMap<>(extraConfig);
            extra.put(field, value);
            return new Options(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, dtype, tied, maxShardBytes, experts, expertsPerToken, expertIntermediate, sharedExpertIntermediate, extra);
        }

        int resolvedHeadDim() {
            return headDim > 0 ? headDim : hidden / heads;
        }
    }

    /** 2 layers, hidden 64, 4 heads (2 KV heads) of 16, intermediate 96, vocab 320, F32, untied, one file; MoE: 4 experts, top 2, expert size 32. */
    public static Options options() {
        return new Options(2, 64, 4, 2, 0, 96, 320, DType.F32, false, 0, 4, 2, 32, 48, Map.of());
    }

    /** Writes a default-sized model of {@code family} into {@code dir} (created; must not exist yet). */
    public static ModelConfig write(Path dir, Family family, long seed) throws IOException {
        return write(dir, family, seed, options());
    }

    /** Writes a model of {@code family} shaped by {@code options} into {@code dir} (must not exist yet). */
    public static ModelConfig write(Path dir, Family family, long seed, Options options) throws IOException {
        return write(dir, family, seed, options, null);
    }

    /** Changes a tensor's values before they are written (a crafted or poisoned model); gets a copy it may edit. */
    @FunctionalInterface
    public interface Edit {
        float[] apply(String name, float[] values);
    }

    /** As {@link #write(Path, Family, long, Options)}, with each tensor's values passed through {@code edit} (null: none). */
    public static ModelConfig write(Path dir, Family family, long seed, Options options, Edit edit) throws IOException {
        ModelConfig config = ModelConfig.of(configJson(family, options));
        List<OutputTensor> tensors = tensors(config, options, seed);
        if (edit != null) {
            tensors = tensors.stream().map(t -> OutputTensor.of(t.name(), t.dtype(), t.shape(),
                    () -> edit.apply(t.name(), t.values().get().clone()))).toList();
        }
        Path parent = Files.createDirectories(dir.toAbsolutePath().getParent());
        Path staging = Files.createTempDirectory(parent, ".tokenizer-");
        try {
            TestTokenizers.write(staging, options.vocab(), addsBos(family));
            ModelFolderWriter.to(dir)
                    .config(config)
                    .copyFilesFrom(staging)
                    .maxShardBytes(options.maxShardBytes() > 0 ? options.maxShardBytes() : Long.MAX_VALUE)
                    .write(tensors);
        } finally {
            Folders.deleteRecursively(staging);
        }
        return ModelConfig.load(dir);
    }

    /** Llama-style tokenizers put {@code <s>} in front; Qwen and OLMoE ones add nothing. */
    public static boolean addsBos(Family family) {
        return switch (family) {
            case LLAMA, MISTRAL, MIXTRAL -> true;
            default -> false;
        };
    }

    /** The config.json a real checkpoint of {@code family} would carry, at the test model's size. */
    public static ObjectNode configJson(Family family, Options o) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(family.architecture());
        c.put("model_type", family.modelType());
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", TestTokenizers.BOS_ID);
        c.put("eos_token_id", TestTokenizers.EOS_ID);
        c.put("hidden_act", "silu");
        c.put("hidden_size", o.hidden());
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", o.intermediate());
        c.put("max_position_embeddings", 512);
        c.put("num_attention_heads", o.heads());
        c.put("num_hidden_layers", o.layers());
        c.put("num_key_value_heads", o.kvHeads());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", family == Family.LLAMA ? 500000.0 : 10000.0);
        c.put("tie_word_embeddings", o.tied());
        c.put("torch_dtype", o.dtype().torchName());
        c.put("transformers_version", "4.51.3");
        c.put("use_cache", true);
        c.put("vocab_size", o.vocab());
        switch (family) {
            case LLAMA -> {
                c.put("attention_bias", false);
                c.put("head_dim", o.resolvedHeadDim());
                c.put("mlp_bias", false);
                c.put("pretraining_tp", 1);
                c.putNull("rope_scaling");
            }
            case MISTRAL -> {
                c.put("head_dim", o.resolvedHeadDim());
                c.putNull("sliding_window");
            }
            case QWEN2 -> {
                c.put("max_window_layers", o.layers());
                c.put("use_sliding_window", false);
                c.put("sliding_window", 512);
                c.putNull("rope_scaling");
            }
            case QWEN3 -> {
                c.put("attention_bias", false);
                c.put("head_dim", o.resolvedHeadDim());
                c.put("max_window_layers", o.layers());
                c.put("use_sliding_window", false);
                c.putNull("sliding_window");
                c.putNull("rope_scaling");
            }
            case MIXTRAL -> {
                c.put("head_dim", o.resolvedHeadDim());
                c.put("num_local_experts", o.experts());
                c.put("num_experts_per_tok", o.expertsPerToken());
                c.put("output_router_logits", false);
                c.put("router_aux_loss_coef", 0.02);
                c.put("router_jitter_noise", 0.0);
                c.putNull("sliding_window");
            }
            case QWEN2_MOE -> {
                c.put("decoder_sparse_step", 1);
                c.put("max_window_layers", o.layers());
                c.putArray("mlp_only_layers");
                c.put("moe_intermediate_size", o.expertIntermediate());
                c.put("norm_topk_prob", false);
                c.put("num_experts", o.experts());
                c.put("num_experts_per_tok", o.expertsPerToken());
                c.put("output_router_logits", false);
                c.put("router_aux_loss_coef", 0.001);
                c.put("shared_expert_intermediate_size", o.sharedExpertIntermediate());
                c.put("use_sliding_window", false);
                c.put("sliding_window", 512);
            }
            case QWEN3_MOE -> {
                c.put("attention_bias", false);
                c.put("decoder_sparse_step", 1);
                c.put("head_dim", o.resolvedHeadDim());
                c.put("max_window_layers", o.layers());
                c.putArray("mlp_only_layers");
                c.put("moe_intermediate_size", o.expertIntermediate());
                c.put("norm_topk_prob", true);
                c.put("num_experts", o.experts());
                c.put("num_experts_per_tok", o.expertsPerToken());
                c.put("output_router_logits", false);
                c.put("router_aux_loss_coef", 0.001);
                c.put("use_sliding_window", false);
                c.putNull("sliding_window");
            }
            case OLMOE -> {
                c.put("attention_bias", false);
                c.putNull("clip_qkv");
                c.put("norm_topk_prob", false);
                c.put("num_experts", o.experts());
                c.put("num_experts_per_tok", o.expertsPerToken());
                c.put("output_router_logits", false);
                c.put("pad_token_id", TestTokenizers.UNK_ID);
                c.put("router_aux_loss_coef", 0.01);
            }
        }
        o.extraConfig().forEach((k, v) -> c.set(k, JSON.valueToTree(v)));
        return c;
    }

    /**
     * The tensors of a checkpoint of {@code config}'s family, in the order HF modules declare them, with random
     * values: linear weights N(0, 1/in), norm weights 1 + N(0, 0.1^2), biases N(0, 0.1^2), embeddings N(0, 1).
     */
    public static List<OutputTensor> tensors(ModelConfig config, Options o, long seed) {
        Random random = new Random(seed);
        DType dtype = o.dtype();
        int h = config.hiddenSize();
        int d = config.headDim();
        int q = config.numAttentionHeads() * d;
        int kv = config.numKeyValueHeads() * d;
        List<OutputTensor> out = new ArrayList<>();
        out.add(gaussian("model.embed_tokens.weight", dtype, random, 1.0, 0.0, config.vocabSize(), h));
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            out.add(gaussian(p + "self_attn.q_proj.weight", dtype, random, 1 / Math.sqrt(h), 0, q, h));
            if (config.qkvBias()) {
                out.add(gaussian(p + "self_attn.q_proj.bias", dtype, random, 0.1, 0, q));
            }
            out.add(gaussian(p + "self_attn.k_proj.weight", dtype, random, 1 / Math.sqrt(h), 0, kv, h));
            if (config.qkvBias()) {
                out.add(gaussian(p + "self_attn.k_proj.bias", dtype, random, 0.1, 0, kv));
            }
            out.add(gaussian(p + "self_attn.v_proj.weight", dtype, random, 1 / Math.sqrt(h), 0, kv, h));
            if (config.qkvBias()) {
                out.add(gaussian(p + "self_attn.v_proj.bias", dtype, random, 0.1, 0, kv));
            }
            out.add(gaussian(p + "self_attn.o_proj.weight", dtype, random, 1 / Math.sqrt(q), 0, h, q));
            if (config.outputProjectionBias()) {
                out.add(gaussian(p + "self_attn.o_proj.bias", dtype, random, 0.1, 0, h));
            }
            switch (config.family().qkNorm()) {
                case PER_HEAD -> {
                    out.add(gaussian(p + "self_attn.q_norm.weight", dtype, random, 0.1, 1, d));
                    out.add(gaussian(p + "self_attn.k_norm.weight", dtype, random, 0.1, 1, d));
                }
                case WHOLE_PROJECTION -> {
                    out.add(gaussian(p + "self_attn.q_norm.weight", dtype, random, 0.1, 1, q));
                    out.add(gaussian(p + "self_attn.k_norm.weight", dtype, random, 0.1, 1, kv));
                }
                case NONE -> { }
            }
            mlp(out, config, layer, p, dtype, random);
            out.add(gaussian(p + "input_layernorm.weight", dtype, random, 0.1, 1, h));
            out.add(gaussian(p + "post_attention_layernorm.weight", dtype, random, 0.1, 1, h));
        }
        out.add(gaussian("model.norm.weight", dtype, random, 0.1, 1, h));
        if (!config.tieWordEmbeddings()) {
            out.add(gaussian("lm_head.weight", dtype, random, 1 / Math.sqrt(h), 0, config.vocabSize(), h));
        }
        return out;
    }

    private static void mlp(List<OutputTensor> out, ModelConfig config, int layer, String p, DType dtype, Random random) {
        int h = config.hiddenSize();
        var moe = config.moe();
        if (moe == null || !moe.isSparseLayer(layer)) {
            denseMlp(out, p + "mlp.", config.intermediateSize(), h, dtype, random, config.mlpBias());
            return;
        }
        int e = moe.numExperts();
        int i = moe.expertIntermediateSize();
        if (config.family() == Family.MIXTRAL) {
            out.add(gaussian(p + "block_sparse_moe.gate.weight", dtype, random, 1 / Math.sqrt(h), 0, e, h));
            for (int x = 0; x < e; x++) {
                String ep = p + "block_sparse_moe.experts." + x + ".";
                out.add(gaussian(ep + "w1.weight", dtype, random, 1 / Math.sqrt(h), 0, i, h));
                out.add(gaussian(ep + "w2.weight", dtype, random, 1 / Math.sqrt(i), 0, h, i));
                out.add(gaussian(ep + "w3.weight", dtype, random, 1 / Math.sqrt(h), 0, i, h));
            }
            return;
        }
        out.add(gaussian(p + "mlp.gate.weight", dtype, random, 1 / Math.sqrt(h), 0, e, h));
        for (int x = 0; x < e; x++) {
            denseMlp(out, p + "mlp.experts." + x + ".", i, h, dtype, random, false);
        }
        if (moe.hasSharedExpert()) {
            denseMlp(out, p + "mlp.shared_expert.", moe.sharedExpertIntermediateSize(), h, dtype, random, false);
            out.add(gaussian(p + "mlp.shared_expert_gate.weight", dtype, random, 1 / Math.sqrt(h), 0, 1, h));
        }
    }

    private static void denseMlp(List<OutputTensor> out, String p, int inter, int h, DType dtype, Random random,
            boolean bias) {
        out.add(gaussian(p + "gate_proj.weight", dtype, random, 1 / Math.sqrt(h), 0, inter, h));
        if (bias) {
            out.add(gaussian(p + "gate_proj.bias", dtype, random, 0.1, 0, inter));
        }
        out.add(gaussian(p + "up_proj.weight", dtype, random, 1 / Math.sqrt(h), 0, inter, h));
        if (bias) {
            out.add(gaussian(p + "up_proj.bias", dtype, random, 0.1, 0, inter));
        }
        out.add(gaussian(p + "down_proj.weight", dtype, random, 1 / Math.sqrt(inter), 0, h, inter));
        if (bias) {
            out.add(gaussian(p + "down_proj.bias", dtype, random, 0.1, 0, h));
        }
    }

    /** Values drawn now (so the seed fixes them whatever order the writer asks in). */
    private static OutputTensor gaussian(String name, DType dtype, Random random, double std, double mean, long... shape) {
        int n = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (mean + std * random.nextGaussian());
        }
        return OutputTensor.of(name, dtype, shape, values);
    }

    /**
     * Renames tensor {@code from} to {@code to} in the single-file checkpoint of {@code dir} (a name the writer would
     * never produce, e.g. one holding NUL), rewriting the header and keeping the data as it is.
     */
    public static void renameTensor(Path dir, String from, String to) throws IOException {
        Path file = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, (int) headerLength,
                java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode renamed = JSON.createObjectNode();
        header.properties().forEach(e -> renamed.set(e.getKey().equals(from) ? to : e.getKey(), e.getValue()));
        StringBuilder text = new StringBuilder(JSON.writeValueAsString(renamed));
        while (text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length % 8 != 0) {
            text.append(' '); // the format pads the header with spaces
        }
        byte[] json = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.write(json);
        out.write(bytes, 8 + (int) headerLength, bytes.length - 8 - (int) headerLength);
        Files.write(file, out.toByteArray());
    }
}
