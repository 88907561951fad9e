package dev.whittle.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.whittle.engine.io.ModelFormatException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model's config.json: the typed fields the engine needs, each with the default transformers' config class
 * of its {@link Family} uses when the field is absent, over the complete original JSON. Fields the engine does
 * not know are kept and written back unchanged, so a rewritten config (fewer layers after pruning, say) still
 * loads upstream. Instances are immutable; {@link #with} and {@link #withNumHiddenLayers} return new ones.
 */
public final class ModelConfig {

    public static final String FILE_NAME = "config.json";

    private static final JsonMapper JSON = new JsonMapper();

    private final ObjectNode json;
    private final Path source;
    private final Family family;
    private final String architecture;
    private final int hiddenSize;
    private final int intermediateSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int numKeyValueHeads;
    private final int headDim;
    private final int vocabSize;
    private final int maxPositionEmbeddings;
    private final double rmsNormEps;
    private final double ropeTheta;
    private final double partialRotaryFactor;
    private final RopeScaling ropeScaling;
    private final boolean tieWordEmbeddings;
    private final boolean attentionBias;
    private final boolean mlpBias;
    private final String hiddenAct;
    private final Integer bosTokenId;
    private final List<Integer> eosTokenIds;
    private final Integer padTokenId;
    private final String torchDtype;
    private final Integer slidingWindow;
    private final List<Integer> slidingLayers;
    private final MoeConfig moe;

    private ModelConfig(ObjectNode json, Path source) {
        this.json = json;
        this.source = source;
        Fields f = new Fields(json, source);
        this.architecture = architectureOf(json, source);
        try {
            this.family = Family.ofArchitecture(architecture);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "architectures", e.getMessage());
        }
        Family.Defaults d = family.defaults();
        this.vocabSize = f.positiveInt("vocab_size", d.vocabSize());
        this.hiddenSize = f.positiveInt("hidden_size", d.hiddenSize());
        this.intermediateSize = f.positiveInt("intermediate_size", d.intermediateSize());
        this.numHiddenLayers = f.nonNegativeInt("num_hidden_layers", d.numHiddenLayers());
        this.numAttentionHeads = f.positiveInt("num_attention_heads", d.numAttentionHeads());
        this.numKeyValueHeads = f.positiveInt("num_key_value_heads",
                d.numKeyValueHeads() == null ? numAttentionHeads : d.numKeyValueHeads());
        Integer defaultHeadDim = d.headDim();
        if (defaultHeadDim == null) {
            if (hiddenSize % numAttentionHeads != 0 && f.isAbsent("head_dim")) {
                throw new ModelFormatException(source, "hidden_size", "hidden_size " + hiddenSize
                        + " is not divisible by num_attention_heads " + numAttentionHeads + " and head_dim is absent");
            }
            defaultHeadDim = hiddenSize / numAttentionHeads;
        }
        this.headDim = f.positiveInt("head_dim", defaultHeadDim);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new ModelFormatException(source, "num_key_value_heads", "num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        this.maxPositionEmbeddings = f.positiveInt("max_position_embeddings", d.maxPositionEmbeddings());
        this.rmsNormEps = f.positiveDouble("rms_norm_eps", d.rmsNormEps());
        JsonNode ropeParameters = json.get("rope_parameters");
        Fields rope = ropeParameters != null && ropeParameters.isObject()
                ? new Fields((ObjectNode) ropeParameters, source, "rope_parameters.") : null;
        double theta = f.positiveDouble("rope_theta", d.ropeTheta());
        this.ropeTheta = rope != null && !rope.isAbsent("rope_theta") ? rope.positiveDouble("rope_theta", theta) : theta;
        this.partialRotaryFactor = f.positiveDouble("partial_rotary_factor", 1.0);
        this.ropeScaling = ropeScalingOf(json, source);
        this.tieWordEmbeddings = f.bool("tie_word_embeddings", false);
        this.attentionBias = f.bool("attention_bias", false);
        this.mlpBias = f.bool("mlp_bias", false);
        this.hiddenAct = f.string("hidden_act", "silu");
        this.bosTokenId = f.optionalInt("bos_token_id", d.bosTokenId());
        this.eosTokenIds = f.intOrIntList("eos_token_id", d.eosTokenId());
        this.padTokenId = f.optionalInt("pad_token_id", null);
        String dtype = f.string("torch_dtype", null);
        this.torchDtype = dtype != null ? dtype : f.string("dtype", null);
        this.slidingWindow = switch (family) {
            case MISTRAL, MIXTRAL -> f.optionalInt("sliding_window", d.slidingWindow());
            default -> f.bool("use_sliding_window", false) ? f.optionalInt("sliding_window", d.slidingWindow()) : null;
        };
        this.slidingLayers = slidingLayersOf(f);
        this.moe = family.isMixtureOfExperts() ? moeOf(f) : null;
    }

    // ---- loading and saving --------------------------------------------------------------------------------

    /** Parses {@code dir/config.json} (or {@code path} itself if it is a file). */
    public static ModelConfig load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file (a model folder needs a " + FILE_NAME + ")");
        }
        return parse(Files.readString(file), file);
    }

    /** Parses config JSON text; {@code source} names it in error messages (may be null). */
    public static ModelConfig parse(String text, Path source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new ModelFormatException(source, null, "not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(source, null, "config must be a JSON object");
        }
        return new ModelConfig((ObjectNode) root, source);
    }

    /** Parses a config held as a JSON tree (copied). */
    public static ModelConfig of(ObjectNode json) {
        return new ModelConfig(json.deepCopy(), null);
    }

    /** Writes the config (every original field, with changes applied) as indented JSON. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n");
    }

    /** The config as indented JSON text. */
    public String toJson() {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    }

    /** A copy of the complete JSON, unknown fields included. */
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** A copy with {@code field} set to {@code value} (any Jackson-serialisable value; null removes the field). */
    public ModelConfig with(String field, Object value) {
        ObjectNode copy = json.deepCopy();
        if (value == null) {
            copy.remove(field);
        } else {
            copy.set(field, JSON.valueToTree(value));
        }
        return new ModelConfig(copy, source);
    }

    /**
     * A copy with {@code n} layers. Per-layer lists ({@code layer_types}) keep their first {@code n} entries and
     * {@code mlp_only_layers} drops indices beyond the new depth; set them with {@link #with} when other
     * layers were removed.
     */
    public ModelConfig withNumHiddenLayers(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("num_hidden_layers must be >= 0, got " + n);
        }
        ObjectNode copy = json.deepCopy();
        copy.put("num_hidden_layers", n);
        if (copy.get("layer_types") instanceof ArrayNode types && types.size() > n) {
            ArrayNode trimmed = copy.putArray("layer_types");
            for (int i = 0; i < n; i++) {
                trimmed.add(types.get(i));
            }
        }
        if (copy.get("mlp_only_layers") instanceof ArrayNode only) {
            ArrayNode kept = copy.putArray("mlp_only_layers");
            only.forEach(v -> {
                if (v.asInt() < n) {
                    kept.add(v);
                }
            });
        }
        return new ModelConfig(copy, source);
    }

    // ---- typed fields --------------------------------------------------------------------------------------

    public Family family() {
        return family;
    }

    /** {@code architectures[0]}. */
    public String architecture() {
        return architecture;
    }

    /** Where the config was read from, or null. */
    public Path source() {
        return source;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** Intermediate size of the dense MLP (for MoE families: of a dense layer, or Mixtral's experts). */
    public int intermediateSize() {
        return intermediateSize;
    }

    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    public int numKeyValueHeads() {
        return numKeyValueHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    public double rmsNormEps() {
        return rmsNormEps;
    }

    public double ropeTheta() {
        return ropeTheta;
    }

    /** Fraction of head_dim that is rotated (1 for every supported family unless the config says otherwise). */
    public double partialRotaryFactor() {
        return partialRotaryFactor;
    }

    /** {@code rope_scaling}, or null when absent or of type "default". */
    public RopeScaling ropeScaling() {
        return ropeScaling;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    /** config.json's {@code attention_bias} as written (see {@link #qkvBias()} for what the family makes of it). */
    public boolean attentionBias() {
        return attentionBias;
    }

    /** Whether q_proj, k_proj and v_proj have a bias. */
    public boolean qkvBias() {
        return switch (family.qkvBias()) {
            case NONE -> false;
            case ALWAYS_QKV -> true;
            case FROM_CONFIG -> attentionBias;
        };
    }

    /** Whether o_proj has a bias. */
    public boolean outputProjectionBias() {
        return family.qkvBias() == Family.QkvBias.FROM_CONFIG && attentionBias;
    }

    /** Whether gate/up/down projections have a bias (Llama's {@code mlp_bias}). */
    public boolean mlpBias() {
        return family == Family.LLAMA && mlpBias;
    }

    public String hiddenAct() {
        return hiddenAct;
    }

    /** May be null. */
    public Integer bosTokenId() {
        return bosTokenId;
    }

    /** Every end-of-sequence id ({@code eos_token_id} may be a number or a list); empty if none. */
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** May be null. */
    public Integer padTokenId() {
        return padTokenId;
    }

    /** {@code torch_dtype} (or {@code dtype}), e.g. "bfloat16"; may be null. */
    public String torchDtype() {
        return torchDtype;
    }

    /** The sliding attention window when the model uses one (Mistral, or Qwen with use_sliding_window), else null. */
    public Integer slidingWindow() {
        return slidingWindow;
    }

    /**
     * The attention window of {@code layer}: 0 for full causal attention, otherwise the number of most recent
     * positions (the current one included) a query may attend to, as transformers' sliding-window mask does.
     */
    public int attentionWindow(int layer) {
        return slidingWindow != null && slidingLayers.contains(layer) ? slidingWindow : 0;
    }

    /** The MoE fields, or null for a dense family. */
    public MoeConfig moe() {
        return moe;
    }

    /** The raw value of any field, or null. */
    public JsonNode get(String field) {
        JsonNode v = json.get(field);
        return v == null ? null : v.deepCopy();
    }

    /** Parameters the config implies (embeddings, attention, MLPs or experts, norms, untied head). */
    public long parameterCount() {
        long h = hiddenSize;
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h;
        if (qkvBias()) {
            attention += q + 2 * kv;
        }
        if (outputProjectionBias()) {
            attention += h;
        }
        attention += switch (family.qkNorm()) {
            case NONE -> 0;
            case PER_HEAD -> 2L * headDim;
            case WHOLE_PROJECTION -> q + kv;
        };
        long total = (long) vocabSize * h * (tieWordEmbeddings ? 1 : 2) + h;
        for (int layer = 0; layer < numHiddenLayers; layer++) {
            total += attention + 2 * h + mlpParameters(layer);
        }
        return total;
    }

    private long mlpParameters(int layer) {
        long h = hiddenSize;
        if (moe == null || !moe.isSparseLayer(layer)) {
            return 3 * h * intermediateSize + (mlpBias() ? 2L * intermediateSize + h : 0);
        }
        long experts = (long) moe.numExperts() * 3 * h * moe.expertIntermediateSize() + h * moe.numExperts();
        if (moe.hasSharedExpert()) {
            experts += 3 * h * moe.sharedExpertIntermediateSize() + h;
        }
        return experts;
    }

    // ---- rotary frequencies --------------------------------------------------------------------------------

    /** Rotary inverse frequencies for the model's context ({@link #ropeInverseFrequencies(int)} at max positions). */
    public double[] ropeInverseFrequencies() {
        return ropeInverseFrequencies(maxPositionEmbeddings);
    }

    /**
     * The {@code rotaryDim/2} inverse frequencies {@code theta^(-2i/d)} with the config's rope scaling applied,
     * as transformers' {@code ROPE_INIT_FUNCTIONS} compute them (default, linear, dynamic NTK, llama3), in double
     * precision (transformers works in fp32, so values agree to fp32 rounding). {@code seqLen} only matters for
     * dynamic scaling, which grows the base once a sequence exceeds {@code max_position_embeddings}.
     */
    public double[] ropeInverseFrequencies(int seqLen) {
        int dim = (int) (headDim * partialRotaryFactor);
        double base = ropeTheta;
        String type = ropeScaling == null ? "default" : ropeScaling.type();
        if (type.equals("dynamic") && seqLen > maxPositionEmbeddings) {
            double factor = ropeScaling.factor();
            base = base * Math.pow(factor * seqLen / maxPositionEmbeddings - (factor - 1), dim / (dim - 2.0));
        }
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        }
        return switch (type) {
            case "default", "dynamic" -> inv;
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= ropeScaling.factor();
                }
                yield inv;
            }
            case "llama3" -> llama3(inv, ropeScaling);
            default -> throw new UnsupportedOperationException((source == null ? "config" : source.toString())
                    + ": rope_scaling type '" + type + "' is not supported (supported: default, linear, dynamic, llama3)");
        };
    }

    /** transformers' {@code _compute_llama3_parameters}: long wavelengths slowed by factor, a smooth band between. */
    private static double[] llama3(double[] inv, RopeScaling s) {
        double oldContext = s.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContext / s.lowFreqFactor();
        double highFreqWavelen = oldContext / s.highFreqFactor();
        double[] out = new double[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highFreqWavelen) {
                out[i] = inv[i];
            } else if (wavelen > lowFreqWavelen) {
                out[i] = inv[i] / s.factor();
            } else {
                double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
            }
        }
        return out;
    }

    // ---- parsing helpers -----------------------------------------------------------------------------------

    private static String architectureOf(ObjectNode json, Path source) {
        JsonNode archs = json.get("architectures");
        if (archs != null && archs.isArray() && !archs.isEmpty()) {
            if (!archs.get(0).isString()) {
                throw new ModelFormatException(source, "architectures", "must be a list of names");
            }
            return archs.get(0).stringValue();
        }
        JsonNode modelType = json.get("model_type");
        Family byType = modelType != null && modelType.isString() ? Family.ofModelType(modelType.stringValue()) : null;
        if (byType != null) {
            return byType.architecture();
        }
        throw new ModelFormatException(source, "architectures", "missing (and model_type "
                + (modelType == null ? "absent" : modelType) + " names no supported family; supported: "
                + Family.supportedArchitectures() + ")");
    }

    private static RopeScaling ropeScalingOf(ObjectNode json, Path source) {
        JsonNode node = json.get("rope_scaling");
        String prefix = "rope_scaling.";
        if (node == null || node.isNull()) {
            node = json.get("rope_parameters");
            prefix = "rope_parameters.";
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ModelFormatException(source, prefix.substring(0, prefix.length() - 1), "must be an object");
        }
        Fields f = new Fields((ObjectNode) node, source, prefix);
        String type = f.string("rope_type", null);
        if (type == null) {
            type = f.string("type", "default");
        }
        if (type.equals("default")) {
            return null;
        }
        RopeScaling scaling = new RopeScaling(type, f.positiveDouble("factor", Double.NaN),
                f.positiveDouble("low_freq_factor", Double.NaN), f.positiveDouble("high_freq_factor", Double.NaN),
                f.nonNegativeInt("original_max_position_embeddings", 0));
        if (Double.isNaN(scaling.factor()) && !type.equals("longrope")) {
            throw new ModelFormatException(source, prefix + "factor", "missing for rope type " + type);
        }
        if (type.equals("llama3") && (Double.isNaN(scaling.lowFreqFactor()) || Double.isNaN(scaling.highFreqFactor())
                || scaling.originalMaxPositionEmbeddings() == 0)) {
            throw new ModelFormatException(source, prefix.substring(0, prefix.length() - 1), "llama3 scaling needs "
                    + "low_freq_factor, high_freq_factor and original_max_position_embeddings");
        }
        return scaling;
    }

    /** Layers with sliding-window attention: {@code layer_types} when given, else as each family decides. */
    private List<Integer> slidingLayersOf(Fields f) {
        List<Integer> layers = new ArrayList<>();
        JsonNode types = json.get("layer_types");
        if (types != null && types.isArray()) {
            for (int i = 0; i < types.size(); i++) {
                if ("sliding_attention".equals(types.get(i).asString(""))) {
                    layers.add(i);
                }
            }
            return Collections.unmodifiableList(layers);
        }
        int from = switch (family) {
            case MISTRAL, MIXTRAL -> 0;
            default -> f.nonNegativeInt("max_window_layers", 28);
        };
        for (int i = from; i < numHiddenLayers; i++) {
            layers.add(i);
        }
        return Collections.unmodifiableList(layers);
    }

    private MoeConfig moeOf(Fields f) {
        return switch (family) {
            case MIXTRAL -> new MoeConfig(f.positiveInt("num_local_experts", 8), f.positiveInt("num_experts_per_tok", 2),
                    intermediateSize, 0, true, 1, List.of(), f.nonNegativeDouble("router_aux_loss_coef", 0.001));
            case QWEN2_MOE -> new MoeConfig(f.positiveInt("num_experts", 60), f.positiveInt("num_experts_per_tok", 4),
                    f.positiveInt("moe_intermediate_size", 1408), f.nonNegativeInt("shared_expert_intermediate_size", 5632),
                    f.bool("norm_topk_prob", false), f.positiveInt("decoder_sparse_step", 1), f.intList("mlp_only_layers"),
                    f.nonNegativeDouble("router_aux_loss_coef", 0.001));
            case QWEN3_MOE -> new MoeConfig(f.positiveInt("num_experts", 128), f.positiveInt("num_experts_per_tok", 8),
                    f.positiveInt("moe_intermediate_size", 768), 0, f.bool("norm_topk_prob", false),
                    f.positiveInt("decoder_sparse_step", 1), f.intList("mlp_only_layers"),
                    f.nonNegativeDouble("router_aux_loss_coef", 0.001));
            case OLMOE -> new MoeConfig(f.positiveInt("num_experts", 64), f.positiveInt("num_experts_per_tok", 8),
                    intermediateSize, 0, f.bool("norm_topk_prob", false), 1, List.of(),
                    f.nonNegativeDouble("router_aux_loss_coef", 0.01));
            default -> throw new IllegalStateException(family + " is dense");
        };
    }

    @Override
    public String toString() {
        return architecture + "[layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads=" + numAttentionHeads
                + "/" + numKeyValueHeads + "x" + headDim + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize
                + (moe == null ? "" : ", experts=" + moe.numExperts() + "/top" + moe.numExpertsPerToken()) + "]";
    }

    /** Typed reads of one JSON object, with errors that name the file and the field. */
    private record Fields(ObjectNode node, Path source, String prefix) {

        Fields(ObjectNode node, Path source) {
            this(node, source, "");
        }

        boolean isAbsent(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull();
        }

        private ModelFormatException wrong(String field, String expected) {
            return new ModelFormatException(source, prefix + field, "expected " + expected + ", got " + node.get(field));
        }

        int positiveInt(String field, int fallback) {
            int v = optionalIntOr(field, fallback);
            if (v <= 0) {
                throw wrong(field, "a positive integer");
            }
            return v;
        }

        int nonNegativeInt(String field, int fallback) {
            int v = optionalIntOr(field, fallback);
            if (v < 0) {
                throw wrong(field, "a non-negative integer");
            }
            return v;
        }

        private int optionalIntOr(String field, int fallback) {
            Integer v = isAbsent(field) ? null : optionalInt(field, fallback);
            return v == null ? fallback : v;
        }

        /** The field's integer; {@code fallback} when missing, null when explicitly null. */
        Integer optionalInt(String field, Integer fallback) {
            if (!node.has(field)) {
                return fallback;
            }
            if (node.get(field).isNull()) {
                return null;
            }
            JsonNode v = node.get(field);
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return v.intValue();
            }
            if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 1e9) {
                return (int) v.doubleValue();
            }
            throw wrong(field, "an integer");
        }

        double positiveDouble(String field, double fallback) {
            if (isAbsent(field)) {
                return fallback;
            }
            double v = doubleOr(field, fallback);
            if (!(v > 0)) {
                throw wrong(field, "a positive number");
            }
            return v;
        }

        double nonNegativeDouble(String field, double fallback) {
            double v = doubleOr(field, fallback);
            if (v < 0) {
                throw wrong(field, "a non-negative number");
            }
            return v;
        }

        private double doubleOr(String field, double fallback) {
            if (isAbsent(field)) {
                return fallback;
            }
            JsonNode v = node.get(field);
            if (!v.isNumber()) {
                throw wrong(field, "a number");
            }
            return v.doubleValue();
        }

        boolean bool(String field, boolean fallback) {
            if (isAbsent(field)) {
                return fallback;
            }
            JsonNode v = node.get(field);
            if (!v.isBoolean()) {
                throw wrong(field, "true or false");
            }
            return v.booleanValue();
        }

        String string(String field, String fallback) {
            if (isAbsent(field)) {
                return fallback;
            }
            JsonNode v = node.get(field);
            if (!v.isString()) {
                throw wrong(field, "a string");
            }
            return v.stringValue();
        }

        List<Integer> intOrIntList(String field, Integer fallback) {
            if (!node.has(field)) {
                return fallback == null ? List.of() : List.of(fallback);
            }
            if (node.get(field).isNull()) {
                return List.of();
            }
            JsonNode v = node.get(field);
            if (v.isArray()) {
                return intList(field);
            }
            return List.of(optionalInt(field, null));
        }

        List<Integer> intList(String field) {
            if (isAbsent(field)) {
                return List.of();
            }
            JsonNode v = node.get(field);
            if (!v.isArray()) {
                throw wrong(field, "a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw wrong(field, "a list of integers");
                }
                out.add(e.intValue());
            }
            return List.copyOf(out);
        }
    }
}
