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
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads config.json as transformers writes it: the JSON text into a tree (kept whole, unknown fields included),
 * and the fields whose spelling or default differs between families or transformers versions ({@code architectures}
 * or {@code model_type}, {@code rope_scaling} or {@code rope_parameters}, sliding-window layers, the MoE fields).
 * Plain fields are read by {@link ModelConfig} through {@link #fields()}.
 */
final class ModelConfigParser {

    static final JsonMapper JSON = new JsonMapper();

    private final ObjectNode json;
    private final Path source;
    private final JsonFields fields;

    ModelConfigParser(ObjectNode json, Path source) {
        this.json = json;
        this.source = source;
        this.fields = new JsonFields(json, source);
    }

    /** The JSON object of a config file. */
    static ObjectNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file (a model folder needs a " + ModelConfig.FILE_NAME + ")");
        }
        return parse(Files.readString(file), file);
    }

    /** The JSON object of config text; {@code source} names it in error messages (may be null). */
    static ObjectNode parse(String text, Path source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new ModelFormatException(source, null, "not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(source, null, "config must be a JSON object");
        }
        return (ObjectNode) root;
    }

    /** Typed reads of the top-level fields. */
    JsonFields fields() {
        return fields;
    }

    /** {@code architectures[0]}, or the architecture of the family {@code model_type} names. */
    String architecture() {
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

    Family family(String architecture) {
        try {
            return Family.ofArchitecture(architecture);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "architectures", e.getMessage());
        }
    }

    /** {@code head_dim}, by default {@code hidden_size / num_attention_heads} unless the family fixes one. */
    int headDim(Integer familyDefault, int hiddenSize, int numAttentionHeads) {
        Integer fallback = familyDefault;
        if (fallback == null) {
            if (hiddenSize % numAttentionHeads != 0 && fields.isAbsent("head_dim")) {
                throw new ModelFormatException(source, "hidden_size", "hidden_size " + hiddenSize
                        + " is not divisible by num_attention_heads " + numAttentionHeads + " and head_dim is absent");
            }
            fallback = hiddenSize / numAttentionHeads;
        }
        return fields.positiveInt("head_dim", fallback);
    }

    /** {@code rope_theta}, which newer transformers write inside {@code rope_parameters}. */
    double ropeTheta(double familyDefault) {
        double theta = fields.positiveDouble("rope_theta", familyDefault);
        JsonNode parameters = json.get("rope_parameters");
        if (parameters == null || !parameters.isObject()) {
            return theta;
        }
        JsonFields rope = new JsonFields((ObjectNode) parameters, source, "rope_parameters.");
        return rope.isAbsent("rope_theta") ? theta : rope.positiveDouble("rope_theta", theta);
    }

    /** {@code rope_scaling} (or {@code rope_parameters}), or null when absent or of type "default". */
    RopeScaling ropeScaling() {
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
        JsonFields f = new JsonFields((ObjectNode) node, source, prefix);
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

    /** {@code torch_dtype}, or {@code dtype} as newer transformers write it; may be null. */
    String torchDtype() {
        String dtype = fields.string("torch_dtype", null);
        return dtype != null ? dtype : fields.string("dtype", null);
    }

    /** The sliding window: always on for Mistral and Mixtral, elsewhere only with {@code use_sliding_window}. */
    Integer slidingWindow(Family family, Integer familyDefault) {
        return switch (family) {
            case MISTRAL, MIXTRAL -> fields.optionalInt("sliding_window", familyDefault);
            default -> fields.bool("use_sliding_window", false) ? fields.optionalInt("sliding_window", familyDefault) : null;
        };
    }

    /** Layers with sliding-window attention: {@code layer_types} when given, else as each family decides. */
    List<Integer> slidingLayers(Family family, int numHiddenLayers) {
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
            default -> fields.nonNegativeInt("max_window_layers", 28);
        };
        for (int i = from; i < numHiddenLayers; i++) {
            layers.add(i);
        }
        return Collections.unmodifiableList(layers);
    }

    /** The MoE fields under each family's names and defaults (a sparse family only). */
    MoeConfig moe(Family family, int intermediateSize) {
        JsonFields f = fields;
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
}
