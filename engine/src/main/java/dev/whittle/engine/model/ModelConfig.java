package dev.whittle.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.whittle.engine.io.ModelFormatException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model's config.json: the typed fields the engine needs, each with the default transformers' config class
 * of its {@link Family} uses when the field is absent, over the complete original JSON. Fields the engine does
 * not know are kept and written back unchanged, so a rewritten config (fewer layers after pruning, say) still
 * loads upstream. Instances are immutable; {@link #with} and {@link #withNumHiddenLayers} return new ones.
 * How transformers spells the fields is {@link ModelConfigParser}'s concern; what the config implies lives
 * beside it ({@link RopeFrequencies}, {@link ParameterCount}).
 */
public final class ModelConfig {

    public static final String FILE_NAME = "config.json";

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

    /** Reads every typed field from {@code json}, with its family's default where the field is absent. */
    private ModelConfig(ObjectNode json, Path source) {
        this.json = json;
        this.source = source;
        ModelConfigParser read = new ModelConfigParser(json, source);
        JsonFields f = read.fields();
        this.architecture = read.architecture();
        this.family = read.family(architecture);
        Family.Defaults d = family.defaults();
        this.vocabSize = f.positiveInt("vocab_size", d.vocabSize());
        this.hiddenSize = f.positiveInt("hidden_size", d.hiddenSize());
        this.intermediateSize = f.positiveInt("intermediate_size", d.intermediateSize());
        this.numHiddenLayers = f.nonNegativeInt("num_hidden_layers", d.numHiddenLayers());
        this.numAttentionHeads = f.positiveInt("num_attention_heads", d.numAttentionHeads());
        this.numKeyValueHeads = f.positiveInt("num_key_value_heads",
                d.numKeyValueHeads() == null ? numAttentionHeads : d.numKeyValueHeads());
        this.headDim = read.headDim(d.headDim(), hiddenSize, numAttentionHeads);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new ModelFormatException(source, "num_key_value_heads", "num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        this.maxPositionEmbeddings = f.positiveInt("max_position_embeddings", d.maxPositionEmbeddings());
        this.rmsNormEps = f.positiveDouble("rms_norm_eps", d.rmsNormEps());
        this.ropeTheta = read.ropeTheta(d.ropeTheta());
        this.partialRotaryFactor = f.positiveDouble("partial_rotary_factor", 1.0);
        this.ropeScaling = read.ropeScaling();
        this.tieWordEmbeddings = f.bool("tie_word_embeddings", false);
        this.attentionBias = f.bool("attention_bias", false);
        this.mlpBias = f.bool("mlp_bias", false);
        this.hiddenAct = f.string("hidden_act", "silu");
        this.bosTokenId = f.optionalInt("bos_token_id", d.bosTokenId());
        this.eosTokenIds = f.intOrIntList("eos_token_id", d.eosTokenId());
        this.padTokenId = f.optionalInt("pad_token_id", null);
        this.torchDtype = read.torchDtype();
        this.slidingWindow = read.slidingWindow(family, d.slidingWindow());
        this.slidingLayers = read.slidingLayers(family, numHiddenLayers);
        this.moe = family.isMixtureOfExperts() ? read.moe(family, intermediateSize) : null;
    }

    // ---- loading and saving --------------------------------------------------------------------------------

    /** Parses {@code dir/config.json} (or {@code path} itself if it is a file). */
    public static ModelConfig load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        return new ModelConfig(ModelConfigParser.read(file), file);
    }

    /** Parses config JSON text; {@code source} names it in error messages (may be null). */
    public static ModelConfig parse(String text, Path source) {
        return new ModelConfig(ModelConfigParser.parse(text, source), source);
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
        return ModelConfigParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
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
            copy.set(field, ModelConfigParser.JSON.valueToTree(value));
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

    /** Parameters the config implies (see {@link ParameterCount}). */
    public long parameterCount() {
        return ParameterCount.of(this);
    }

    @Override
    public String toString() {
        return architecture + "[layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads=" + numAttentionHeads
                + "/" + numKeyValueHeads + "x" + headDim + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize
                + (moe == null ? "" : ", experts=" + moe.numExperts() + "/top" + moe.numExpertsPerToken()) + "]";
    }
}
