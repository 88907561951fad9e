package dev.whittle.worker.stage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.whittle.engine.model.ModelConfig;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Every {@link StageType} bean, by name; reads and validates recipe stages. */
@Component
public class StageTypes {

    private final Map<String, StageType<?>> byName = new TreeMap<>();
    private final Validator validator;

    public StageTypes(List<StageType<?>> types, Validator validator) {
        this.validator = validator;
        for (StageType<?> type : types) {
            StageType<?> clash = byName.put(type.name(), type);
            if (clash != null) {
                throw new IllegalStateException("Two stage types are named " + type.name() + ": "
                        + clash.getClass().getName() + " and " + type.getClass().getName());
            }
        }
    }

    public Collection<StageType<?>> all() {
        return byName.values();
    }

    /**
     * Reads a recipe's {@code stages} array. Every problem of every stage is collected (at paths like
     * {@code stages[1].type}) before {@link InvalidRequestException} is thrown.
     */
    public List<RecipeStage> parse(JsonNode stages, String path) {
        return parse(stages, path, null);
    }

    /**
     * Reads a recipe's {@code stages} array as {@link #parse(JsonNode, String)} does, and also checks the first
     * stage against {@code inputModel}, the config of the job's model (null: unknown, not checked). Only the first
     * stage is checked: it is the one sure to read the job's model, as later ones may read a model an earlier stage
     * wrote, with another shape.
     */
    public List<RecipeStage> parse(JsonNode stages, String path, ModelConfig inputModel) {
        return parse(stages, path, inputModel, null);
    }

    /**
     * As {@link #parse(JsonNode, String, ModelConfig)}, with the folder of the job's model too (null: unknown), for
     * the first stage's checks that read it ({@link StageType#validate(Object, ModelConfig, Path)}).
     */
    public List<RecipeStage> parse(JsonNode stages, String path, ModelConfig inputModel, Path inputFolder) {
        if (stages == null || stages.isNull() || stages.isMissingNode()) {
            throw new InvalidRequestException(path, "is required");
        }
        if (!stages.isArray()) {
            throw new InvalidRequestException(path, "must be an array of stages");
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<RecipeStage> parsed = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            try {
                parsed.add(parseStage(i, stages.get(i), path + "[" + i + "]", i == 0 ? inputModel : null,
                        i == 0 ? inputFolder : null));
            } catch (InvalidRequestException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return parsed;
    }

    private RecipeStage parseStage(int index, JsonNode stage, String path, ModelConfig inputModel, Path inputFolder) {
        if (!stage.isObject()) {
            throw new InvalidRequestException(path, "must be an object with a \"type\"");
        }
        JsonNode typeName = stage.get("type");
        if (typeName == null || typeName.isNull()) {
            throw new InvalidRequestException(path + ".type", "is required; one of " + byName.keySet());
        }
        if (!typeName.isString()) {
            throw new InvalidRequestException(path + ".type", "must be a string; one of " + byName.keySet());
        }
        StageType<?> type = byName.get(typeName.asString());
        if (type == null) {
            throw new InvalidRequestException(path + ".type", "unknown stage type '" + typeName.asString()
                    + "'; implemented: " + byName.keySet());
        }
        ObjectNode parameters = ((ObjectNode) stage).deepCopy();
        parameters.remove("type");
        return new RecipeStage(index, type, readParameters(type, parameters, path, inputModel, inputFolder));
    }

    private <P> P readParameters(StageType<P> type, ObjectNode json, String path, ModelConfig inputModel,
                                 Path inputFolder) {
        P parameters = StrictJson.read(json, type.parametersType(), path);
        List<FieldProblem> problems = new ArrayList<>();
        for (ConstraintViolation<P> v : validator.validate(parameters)) {
            problems.add(new FieldProblem(path + "." + v.getPropertyPath(), v.getMessage()));
        }
        if (problems.isEmpty()) {
            for (FieldProblem p : type.validate(parameters)) {
                problems.add(new FieldProblem(path + "." + p.field(), p.message()));
            }
        }
        if (problems.isEmpty() && inputModel != null) {
            for (FieldProblem p : inputFolder == null ? type.validate(parameters, inputModel)
                    : type.validate(parameters, inputModel, inputFolder)) {
                problems.add(new FieldProblem(path + "." + p.field(), p.message()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return parameters;
    }

    /** A stage's parameters as JSON, with every default filled in and unset ones left out (what the job records). */
    public static JsonNode toJson(RecipeStage stage) {
        ObjectNode json = JsonMapper.shared().createObjectNode();
        json.put("type", stage.type().name());
        ObjectNode parameters = JsonMapper.shared().valueToTree(stage.parameters());
        parameters.properties().forEach(field -> {
            if (!field.getValue().isNull()) {
                json.set(field.getKey(), field.getValue());
            }
        });
        return json;
    }
}
