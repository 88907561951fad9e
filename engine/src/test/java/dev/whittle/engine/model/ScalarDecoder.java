package dev.whittle.engine.model;

import dev.whittle.engine.io.Checkpoint;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deliberately naive decoder in double precision, written apart from the fast path to check it: it reads
 * config.json itself (no {@code ModelConfig}), widens every tensor to double and computes each equation of the
 * Hugging Face modelling code with plain loops (RMSNorm, q/k/v projections with biases, Qwen3's per-head q/k
 * norm, rotate_half RoPE with llama3 frequency scaling, causal grouped-query attention, SwiGLU, final norm, head).
 * OLMoE normalises q and k over the whole projection. Mixture-of-Experts layers (Mixtral, Qwen2-MoE with its shared
 * expert, Qwen3-MoE, OLMoE) are routed token by token:
 * softmax over the router logits, top-k, optional renormalisation, weighted sum of the chosen experts.
 */
public final class ScalarDecoder {

    private final int hidden;
    private final int intermediate;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int vocab;
    private final double eps;
    private final double[] invFreq;
    private final double[][] embed;
    private final double[][] head;
    private final double[] finalNorm;
    private final List<Layer> layers = new ArrayList<>();

    private record Layer(double[] inputNorm, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                         double[] bq, double[] bk, double[] bv, double[] qNorm, double[] kNorm,
                         double[] postNorm, double[][] gate, double[][] up, double[][] down, Experts experts) {
    }

    /** A sparse layer: {@code router [experts x hidden]}, each expert's SwiGLU, and the optional shared expert. */
    private record Experts(String prefix, String gateName, String upName, String downName, double[][] router,
                           List<double[][][]> experts, double[][][] shared, double[] sharedGate) {
    }

    private final int topK;
    /** OLMoE: q_norm/k_norm over the whole projection rather than per head. */
    private final boolean wholeQkNorm;
    private final boolean normalizeTopK;

    private ScalarDecoder(Path dir) throws IOException {
        JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
        String architecture = config.get("architectures").get(0).asString();
        hidden = config.get("hidden_size").asInt();
        intermediate = config.get("intermediate_size").asInt();
        heads = config.get("num_attention_heads").asInt();
        kvHeads = config.has("num_key_value_heads") && !config.get("num_key_value_heads").isNull()
                ? config.get("num_key_value_heads").asInt() : heads;
        headDim = config.has("head_dim") && !config.get("head_dim").isNull()
                ? config.get("head_dim").asInt() : hidden / heads;
        vocab = config.get("vocab_size").asInt();
        eps = config.get("rms_norm_eps").asDouble();
        invFreq = inverseFrequencies(config, headDim);
        boolean mixtral = architecture.equals("MixtralForCausalLM");
        boolean olmoe = architecture.equals("OlmoeForCausalLM");
        boolean qwenMoe = architecture.equals("Qwen2MoeForCausalLM") || architecture.equals("Qwen3MoeForCausalLM") || olmoe;
        if (!mixtral && !qwenMoe && config.has("num_experts")) {
            throw new IllegalArgumentException("the reference does not model " + architecture);
        }
        int experts = mixtral ? config.get("num_local_experts").asInt() : qwenMoe ? config.get("num_experts").asInt() : 0;
        topK = experts > 0 ? config.get("num_experts_per_tok").asInt() : 0;
        normalizeTopK = mixtral || (qwenMoe && config.get("norm_topk_prob").asBoolean());
        int expertIntermediate = mixtral || olmoe ? intermediate : qwenMoe ? config.get("moe_intermediate_size").asInt() : 0;
        int sharedIntermediate = config.has("shared_expert_intermediate_size")
                ? config.get("shared_expert_intermediate_size").asInt() : 0;
        int sparseStep = config.has("decoder_sparse_step") ? config.get("decoder_sparse_step").asInt() : 1;
        Set<Integer> denseLayers = new java.util.HashSet<>();
        if (config.has("mlp_only_layers")) {
            config.get("mlp_only_layers").forEach(n -> denseLayers.add(n.asInt()));
        }
        boolean qkvBias = architecture.equals("Qwen2ForCausalLM") || architecture.equals("Qwen2MoeForCausalLM")
                || (config.has("attention_bias") && config.get("attention_bias").asBoolean());
        boolean oBias = !architecture.startsWith("Qwen") && config.has("attention_bias")
                && config.get("attention_bias").asBoolean();
        boolean qkNorm = architecture.equals("Qwen3ForCausalLM") || architecture.equals("Qwen3MoeForCausalLM");
        wholeQkNorm = olmoe;
        boolean tied = config.has("tie_word_embeddings") && config.get("tie_word_embeddings").asBoolean();
        if (oBias) {
            throw new IllegalArgumentException("the reference does not model an o_proj bias");
        }

        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            embed = matrix(checkpoint, "model.embed_tokens.weight", vocab, hidden);
            head = tied ? embed : matrix(checkpoint, "lm_head.weight", vocab, hidden);
            finalNorm = vector(checkpoint, "model.norm.weight", hidden);
            int n = config.get("num_hidden_layers").asInt();
            for (int l = 0; l < n; l++) {
                String p = "model.layers." + l + ".";
                boolean sparse = experts > 0 && !denseLayers.contains(l) && (l + 1) % sparseStep == 0;
                Experts moe = null;
                if (sparse) {
                    String m = p + (mixtral ? "block_sparse_moe." : "mlp.");
                    String g = mixtral ? "w1" : "gate_proj";
                    String u = mixtral ? "w3" : "up_proj";
                    String d = mixtral ? "w2" : "down_proj";
                    List<double[][][]> list = new ArrayList<>();
                    for (int e = 0; e < experts; e++) {
                        list.add(swiGlu(checkpoint, m + "experts." + e + ".", g, u, d, expertIntermediate));
                    }
                    boolean shared = architecture.equals("Qwen2MoeForCausalLM") && sharedIntermediate > 0;
                    moe = new Experts(m, g, u, d, matrix(checkpoint, m + "gate.weight", experts, hidden), list,
                            shared ? swiGlu(checkpoint, m + "shared_expert.", "gate_proj", "up_proj", "down_proj",
                                    sharedIntermediate) : null,
                            shared ? vector(checkpoint, m + "shared_expert_gate.weight", hidden) : null);
                }
                layers.add(new Layer(
                        vector(checkpoint, p + "input_layernorm.weight", hidden),
                        matrix(checkpoint, p + "self_attn.q_proj.weight", heads * headDim, hidden),
                        matrix(checkpoint, p + "self_attn.k_proj.weight", kvHeads * headDim, hidden),
                        matrix(checkpoint, p + "self_attn.v_proj.weight", kvHeads * headDim, hidden),
                        matrix(checkpoint, p + "self_attn.o_proj.weight", hidden, heads * headDim),
                        qkvBias ? vector(checkpoint, p + "self_attn.q_proj.bias", heads * headDim) : null,
                        qkvBias ? vector(checkpoint, p + "self_attn.k_proj.bias", kvHeads * headDim) : null,
                        qkvBias ? vector(checkpoint, p + "self_attn.v_proj.bias", kvHeads * headDim) : null,
                        qkNorm || olmoe ? vector(checkpoint, p + "self_attn.q_norm.weight", olmoe ? heads * headDim : headDim) : null,
                        qkNorm || olmoe ? vector(checkpoint, p + "self_attn.k_norm.weight", olmoe ? kvHeads * headDim : headDim) : null,
                        vector(checkpoint, p + "post_attention_layernorm.weight", hidden),
                        sparse ? null : matrix(checkpoint, p + "mlp.gate_proj.weight", intermediate, hidden),
                        sparse ? null : matrix(checkpoint, p + "mlp.up_proj.weight", intermediate, hidden),
                        sparse ? null : matrix(checkpoint, p + "mlp.down_proj.weight", hidden, intermediate),
                        moe));
            }
        }
    }

    public static ScalarDecoder load(Path dir) {
        try {
            return new ScalarDecoder(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir, e);
        }
    }

    public int vocab() {
        return vocab;
    }

    /**
     * The live weights under their checkpoint names, each as rows (a vector is a single row), so that a gradient
     * check can nudge one entry and call {@link #logits} again. A tied head is the embedding and is listed once.
     */
    public Map<String, double[][]> weights() {
        Map<String, double[][]> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", embed);
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            String p = "model.layers." + l + ".";
            out.put(p + "self_attn.q_proj.weight", layer.wq());
            out.put(p + "self_attn.k_proj.weight", layer.wk());
            out.put(p + "self_attn.v_proj.weight", layer.wv());
            out.put(p + "self_attn.o_proj.weight", layer.wo());
            if (layer.bq() != null) {
                out.put(p + "self_attn.q_proj.bias", new double[][]{layer.bq()});
                out.put(p + "self_attn.k_proj.bias", new double[][]{layer.bk()});
                out.put(p + "self_attn.v_proj.bias", new double[][]{layer.bv()});
            }
            if (layer.qNorm() != null) {
                out.put(p + "self_attn.q_norm.weight", new double[][]{layer.qNorm()});
                out.put(p + "self_attn.k_norm.weight", new double[][]{layer.kNorm()});
            }
            Experts moe = layer.experts();
            if (moe == null) {
                out.put(p + "mlp.gate_proj.weight", layer.gate());
                out.put(p + "mlp.up_proj.weight", layer.up());
                out.put(p + "mlp.down_proj.weight", layer.down());
            } else {
                out.put(moe.prefix() + "gate.weight", moe.router());
                for (int e = 0; e < moe.experts().size(); e++) {
                    String ep = moe.prefix() + "experts." + e + ".";
                    out.put(ep + moe.gateName() + ".weight", moe.experts().get(e)[0]);
                    out.put(ep + moe.upName() + ".weight", moe.experts().get(e)[1]);
                    out.put(ep + moe.downName() + ".weight", moe.experts().get(e)[2]);
                }
                if (moe.shared() != null) {
                    out.put(moe.prefix() + "shared_expert.gate_proj.weight", moe.shared()[0]);
                    out.put(moe.prefix() + "shared_expert.up_proj.weight", moe.shared()[1]);
                    out.put(moe.prefix() + "shared_expert.down_proj.weight", moe.shared()[2]);
                    out.put(moe.prefix() + "shared_expert_gate.weight", new double[][]{moe.sharedGate()});
                }
            }
            out.put(p + "input_layernorm.weight", new double[][]{layer.inputNorm()});
            out.put(p + "post_attention_layernorm.weight", new double[][]{layer.postNorm()});
        }
        out.put("model.norm.weight", new double[][]{finalNorm});
        if (head != embed) {
            out.put("lm_head.weight", head);
        }
        return out;
    }

    /** Logits {@code [T][vocab]} for every position of one sequence. */
    public double[][] logits(int[] tokens) {
        return logits(tokens, Set.of());
    }

    /** Logits {@code [T][vocab]} of the model with the layers of the given indices left out. */
    public double[][] logits(int[] tokens, Set<Integer> skippedLayers) {
        return logits(tokens, skippedLayers, null);
    }

    /** Logits {@code [T][vocab]}, appending every sparse layer's router logits to {@code routerLogits} (layer-major). */
    public double[][] logits(int[] tokens, List<double[]> routerLogits) {
        return logits(tokens, Set.of(), routerLogits);
    }

    private double[][] logits(int[] tokens, Set<Integer> skippedLayers, List<double[]> routerLogits) {
        int t = tokens.length;
        double[][] x = new double[t][];
        for (int i = 0; i < t; i++) {
            x[i] = embed[tokens[i]].clone();
        }
        for (int l = 0; l < layers.size(); l++) {
            if (skippedLayers.contains(l)) {
                continue;
            }
            Layer layer = layers.get(l);
            double[][] attention = attention(layer, x);
            for (int i = 0; i < t; i++) {
                x[i] = add(x[i], attention[i]);
            }
            for (int i = 0; i < t; i++) {
                double[] normed = rmsNorm(x[i], layer.postNorm);
                double[] mlp = layer.experts() == null
                        ? swiGlu(layer.gate, layer.up, layer.down, normed)
                        : mixture(layer.experts(), normed, routerLogits);
                x[i] = add(x[i], mlp);
            }
        }
        double[][] logits = new double[t][];
        for (int i = 0; i < t; i++) {
            logits[i] = linear(head, rmsNorm(x[i], finalNorm), null);
        }
        return logits;
    }

    private static double[] swiGlu(double[][] gateWeight, double[][] upWeight, double[][] downWeight, double[] x) {
        double[] gate = linear(gateWeight, x, null);
        double[] up = linear(upWeight, x, null);
        double[] product = new double[gate.length];
        for (int j = 0; j < gate.length; j++) {
            product[j] = gate[j] / (1 + Math.exp(-gate[j])) * up[j];
        }
        return linear(downWeight, product, null);
    }

    /** One token through a sparse layer, as transformers' SparseMoeBlock computes it. */
    private double[] mixture(Experts moe, double[] x, List<double[]> routerLogits) {
        double[] logits = linear(moe.router(), x, null);
        if (routerLogits != null) {
            routerLogits.add(logits);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double[] probabilities = new double[logits.length];
        double total = 0;
        for (int e = 0; e < logits.length; e++) {
            probabilities[e] = Math.exp(logits[e] - max);
            total += probabilities[e];
        }
        boolean[] chosen = new boolean[logits.length];
        int[] picked = new int[topK];
        double pickedSum = 0;
        for (int s = 0; s < topK; s++) {
            int best = -1;
            for (int e = 0; e < logits.length; e++) {
                if (!chosen[e] && (best < 0 || probabilities[e] > probabilities[best])) {
                    best = e;
                }
            }
            chosen[best] = true;
            picked[s] = best;
            pickedSum += probabilities[best] / total;
        }
        double[] out = new double[x.length];
        for (int e : picked) {
            double weight = probabilities[e] / total / (normalizeTopK ? pickedSum : 1);
            double[][][] expert = moe.experts().get(e);
            double[] y = swiGlu(expert[0], expert[1], expert[2], x);
            for (int d = 0; d < out.length; d++) {
                out[d] += weight * y[d];
            }
        }
        if (moe.shared() != null) {
            double gate = 1 / (1 + Math.exp(-dot(moe.sharedGate(), x)));
            double[] y = swiGlu(moe.shared()[0], moe.shared()[1], moe.shared()[2], x);
            for (int d = 0; d < out.length; d++) {
                out[d] += gate * y[d];
            }
        }
        return out;
    }

    private double[][][] swiGlu(Checkpoint checkpoint, String prefix, String gate, String up, String down, int inter) {
        return new double[][][]{matrix(checkpoint, prefix + gate + ".weight", inter, hidden),
                matrix(checkpoint, prefix + up + ".weight", inter, hidden),
                matrix(checkpoint, prefix + down + ".weight", hidden, inter)};
    }

    private double[][] attention(Layer layer, double[][] x) {
        int t = x.length;
        double[][][] q = new double[t][][];
        double[][][] k = new double[t][][];
        double[][][] v = new double[t][][];
        for (int i = 0; i < t; i++) {
            double[] normed = rmsNorm(x[i], layer.inputNorm);
            double[] qAll = linear(layer.wq, normed, layer.bq);
            double[] kAll = linear(layer.wk, normed, layer.bk);
            if (wholeQkNorm) {
                qAll = rmsNorm(qAll, layer.qNorm);
                kAll = rmsNorm(kAll, layer.kNorm);
            }
            q[i] = splitHeads(qAll, heads);
            k[i] = splitHeads(kAll, kvHeads);
            v[i] = splitHeads(linear(layer.wv, normed, layer.bv), kvHeads);
            for (int h = 0; h < heads; h++) {
                q[i][h] = rotate(layer.qNorm == null || wholeQkNorm ? q[i][h] : rmsNorm(q[i][h], layer.qNorm), i);
            }
            for (int h = 0; h < kvHeads; h++) {
                k[i][h] = rotate(layer.kNorm == null || wholeQkNorm ? k[i][h] : rmsNorm(k[i][h], layer.kNorm), i);
            }
        }
        int group = heads / kvHeads;
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] concatenated = new double[heads * headDim];
            for (int h = 0; h < heads; h++) {
                int kv = h / group;
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    scores[j] = dot(q[i][h], k[j][kv]) / Math.sqrt(headDim);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < headDim; d++) {
                        concatenated[h * headDim + d] += scores[j] / sum * v[j][kv][d];
                    }
                }
            }
            out[i] = linear(layer.wo, concatenated, null);
        }
        return out;
    }

    /** rotate_half RoPE: element d pairs with d + headDim/2, angle = position * invFreq[d]. */
    private double[] rotate(double[] x, int position) {
        int half = headDim / 2;
        double[] out = new double[headDim];
        for (int d = 0; d < half; d++) {
            double angle = position * invFreq[d];
            out[d] = x[d] * Math.cos(angle) - x[d + half] * Math.sin(angle);
            out[d + half] = x[d + half] * Math.cos(angle) + x[d] * Math.sin(angle);
        }
        return out;
    }

    /** transformers' default and llama3 rope initialisation, transcribed from modeling_rope_utils. */
    static double[] inverseFrequencies(JsonNode config, int headDim) {
        double theta = config.has("rope_theta") ? config.get("rope_theta").asDouble() : 10000.0;
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        JsonNode scaling = config.get("rope_scaling");
        if (scaling == null || scaling.isNull()) {
            return inv;
        }
        String type = scaling.has("rope_type") ? scaling.get("rope_type").asString() : scaling.get("type").asString();
        if (type.equals("default")) {
            return inv;
        }
        if (!type.equals("llama3")) {
            throw new IllegalArgumentException("the reference knows default and llama3 rope, not " + type);
        }
        double factor = scaling.get("factor").asDouble();
        double low = scaling.get("low_freq_factor").asDouble();
        double high = scaling.get("high_freq_factor").asDouble();
        double original = scaling.get("original_max_position_embeddings").asDouble();
        double lowWavelen = original / low;
        double highWavelen = original / high;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen) {
                inv[i] = inv[i] / factor;
            } else if (wavelen >= highWavelen) {
                double smooth = (original / wavelen - low) / (high - low);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
        return inv;
    }

    private double[] rmsNorm(double[] x, double[] weight) {
        double sum = 0;
        for (double value : x) {
            sum += value * value;
        }
        double inv = 1 / Math.sqrt(sum / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * weight[i];
        }
        return out;
    }

    private static double[] linear(double[][] w, double[] x, double[] bias) {
        double[] y = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            y[o] = dot(w[o], x) + (bias == null ? 0 : bias[o]);
        }
        return y;
    }

    private double[][] splitHeads(double[] x, int count) {
        double[][] out = new double[count][headDim];
        for (int h = 0; h < count; h++) {
            System.arraycopy(x, h * headDim, out[h], 0, headDim);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double[][] matrix(Checkpoint checkpoint, String name, int rows, int cols) {
        float[] values = checkpoint.floats(name);
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected " + rows + "x" + cols);
        }
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = values[r * cols + c];
            }
        }
        return out;
    }

    private static double[] vector(Checkpoint checkpoint, String name, int length) {
        return matrix(checkpoint, name, 1, length)[0];
    }
}
