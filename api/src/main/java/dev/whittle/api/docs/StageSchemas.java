package dev.whittle.api.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.whittle.worker.stage.StageType;
import dev.whittle.worker.stage.StageTypes;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.ComposedSchema;
import io.swagger.v3.oas.models.media.Discriminator;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Types a recipe's stages and a job's results in the OpenAPI document from the stage registry, so that a new stage
 * type, or a new variant of a stage's polymorphic parameters, appears with no edit here. The API reads stages and
 * writes results as JSON trees (the wire is what the worker records); this gives them their schemas:
 * <ul>
 * <li>{@value #STAGE}: {@code oneOf} every stage type, discriminated by {@code type}. A stage type whose parameters are
 * a Jackson polymorphic type (PRUNE's {@code method}) is itself a {@code oneOf} of one flat object per variant,
 * discriminated by that property, each holding {@code type}, the variant's name and only its own fields.</li>
 * <li>{@value #STAGE_RESULT}: {@code oneOf} per stage type of {@code {index, type, result}}, the result typed by what
 * the stage's {@code execute} declares it returns; {@value #JOB_RESULT} is the job's {@code {stages: [...]}}.</li>
 * </ul>
 */
final class StageSchemas implements OpenApiCustomizer {

    static final String STAGE = "Stage";
    static final String STAGE_RESULT = "StageResult";
    static final String JOB_RESULT = "JobResult";
    private static final String TYPE = "type";

    private final StageTypes stageTypes;

    StageSchemas(StageTypes stageTypes) {
        this.stageTypes = stageTypes;
    }

    @Override
    public void customise(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        ComposedSchema stage = discriminated(TYPE);
        stage.description("A stage of a recipe: `type` names the stage type, the other fields are its parameters "
                + "(unknown fields are refused, left-out ones take their defaults).");
        ComposedSchema result = discriminated(TYPE);
        result.description("What one stage of a job produced, by its stage type.");
        for (StageType<?> type : stageTypes.all()) {
            String name = pascal(type.name());
            add(stage, type.name(), name + "Stage", stageSchema(type, name, schemas), schemas);
            add(result, type.name(), name + "StageResult", resultSchema(type, name, schemas), schemas);
        }
        schemas.put(STAGE, stage);
        schemas.put(STAGE_RESULT, result);
        Schema<?> jobResult = new ObjectSchema().description("Per stage, in recipe order, what it produced (present once "
                        + "the job succeeded).")
                .addProperty("stages", new ArraySchema().items(ref(STAGE_RESULT)));
        schemas.put(JOB_RESULT, jobResult);

        retype(schemas, "JobRequest", "stages", stages(schemas, "JobRequest"));
        retype(schemas, "JobView", "stages", stages(schemas, "JobView").description("The recipe, every default filled in"));
        retype(schemas, "JobView", "result", ref(JOB_RESULT).description("Per stage, what it produced (present once "
                + "the job succeeded; left out of lists)"));
    }

    /** The schema of one stage type: flat, or a discriminated {@code oneOf} of its parameters' variants. */
    private Schema<?> stageSchema(StageType<?> type, String name, Map<String, Schema> schemas) {
        Class<?> parameters = type.parametersType();
        JsonTypeInfo info = parameters.getAnnotation(JsonTypeInfo.class);
        JsonSubTypes variants = parameters.getAnnotation(JsonSubTypes.class);
        if (info == null || variants == null) {
            return leaf(type, parameters, null, null, schemas).description(type.description());
        }
        ComposedSchema oneOf = discriminated(info.property());
        oneOf.description(type.description() + " `" + info.property() + "` chooses the variant.");
        ComposedSchema alone = discriminated(info.property());
        alone.description(documented(parameters));
        for (JsonSubTypes.Type variant : variants.value()) {
            Schema<?> leaf = leaf(type, variant.value(), info.property(), variant.name(), schemas);
            add(oneOf, variant.name(), name + pascal(variant.name()) + "Stage", leaf, schemas);
            Schema<?> parametersAlone = new ObjectSchema().description(leaf.getDescription());
            leaf.getProperties().forEach((field, property) -> {
                if (!field.equals(TYPE)) {
                    parametersAlone.addProperty(field, property);
                }
            });
            parametersAlone.setRequired(leaf.getRequired().stream().filter(r -> !r.equals(TYPE)).toList());
            add(alone, variant.name(), variant.value().getSimpleName(), parametersAlone, schemas);
        }
        // the parameters without the stage's type, as results echo them (PRUNE's statistics.settings)
        schemas.put(parameters.getSimpleName(), alone);
        return oneOf;
    }

    private static String documented(Class<?> type) {
        io.swagger.v3.oas.annotations.media.Schema schema = type.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
        return schema == null || schema.description().isEmpty() ? null : schema.description();
    }

    /**
     * One flat stage object: {@code type} (and the variant's discriminator), then the fields of {@code parameters}
     * as the swagger annotations describe them (a variant's inherited {@code allOf} parent left out).
     */
    private static Schema<?> leaf(StageType<?> type, Class<?> parameters, String discriminator, String variant,
                                  Map<String, Schema> schemas) {
        ResolvedSchema resolved = ModelConverters.getInstance(true).readAllAsResolvedSchema(parameters);
        Schema<?> leaf = new ObjectSchema();
        List<String> required = new ArrayList<>();
        leaf.addProperty(TYPE, constant(type.name(), "The stage type"));
        required.add(TYPE);
        if (discriminator != null) {
            leaf.addProperty(discriminator, constant(variant, "The variant of " + type.name()));
            required.add(discriminator);
        }
        if (resolved != null && resolved.schema != null) {
            leaf.description(resolved.schema.getDescription());
            flatten(resolved.schema, leaf, required);
            defineReferenced(resolved, schemas);
        }
        leaf.setRequired(required);
        return leaf;
    }

    /** {@code {index, type, result}}, the result typed by the stage's declared result type. */
    private static Schema<?> resultSchema(StageType<?> type, String name, Map<String, Schema> schemas) {
        Class<?> resultType = type.resultType();
        Schema<?> result;
        if (resultType == Object.class || resultType == void.class) {
            result = new Schema<>().description("What the stage returned, as JSON");
        } else {
            ResolvedSchema resolved = ModelConverters.getInstance(true).readAllAsResolvedSchema(resultType);
            String resultName = name + "Result";
            schemas.put(resultName, resolved.schema.name(resultName));
            defineReferenced(resolved, schemas);
            result = ref(resultName).description("What the stage produced (null if it produced nothing)");
        }
        Schema<?> wrapper = new ObjectSchema().description("What a " + type.name() + " stage produced")
                .addProperty("index", new IntegerSchema().description("The stage's position in the recipe, from 0")
                        .minimum(java.math.BigDecimal.ZERO))
                .addProperty(TYPE, constant(type.name(), "The stage type"))
                .addProperty("result", result);
        wrapper.setRequired(List.of("index", TYPE));
        return wrapper;
    }

    /** Copies the properties and required names of {@code schema} and of its inline {@code allOf} members. */
    private static void flatten(Schema<?> schema, Schema<?> into, List<String> required) {
        if (schema.getAllOf() != null) {
            for (Schema<?> member : schema.getAllOf()) {
                if (member.get$ref() == null) {
                    flatten(member, into, required);
                }
            }
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((field, property) -> {
                if (!into.getProperties().containsKey(field)) {
                    into.addProperty(field, property);
                }
            });
        }
        if (schema.getRequired() != null) {
            schema.getRequired().stream().filter(r -> !required.contains(r)).forEach(required::add);
        }
    }

    /** The records a type nests (PRUNE's calibration, a result's statistics): referenced, so defined too. */
    private static void defineReferenced(ResolvedSchema resolved, Map<String, Schema> schemas) {
        if (resolved.referencedSchemas != null) {
            resolved.referencedSchemas.forEach((name, nested) -> {
                if (nested != resolved.schema) {
                    schemas.putIfAbsent(name, nested);
                }
            });
        }
    }

    private static void add(ComposedSchema oneOf, String value, String schemaName, Schema<?> schema,
                            Map<String, Schema> schemas) {
        schemas.put(schemaName, schema);
        oneOf.addOneOfItem(ref(schemaName));
        oneOf.getDiscriminator().mapping(value, "#/components/schemas/" + schemaName);
    }

    private static ComposedSchema discriminated(String property) {
        ComposedSchema oneOf = new ComposedSchema();
        oneOf.discriminator(new Discriminator().propertyName(property).mapping(new LinkedHashMap<>()));
        return oneOf;
    }

    /** A recipe: the array {@code JobRequest} or {@code JobView} declares (its bounds kept), of {@value #STAGE}. */
    private static Schema<?> stages(Map<String, Schema> schemas, String owner) {
        Schema<?> declared = property(schemas, owner, "stages");
        ArraySchema stages = new ArraySchema();
        stages.items(ref(STAGE));
        if (declared != null) {
            stages.description(declared.getDescription()).minItems(declared.getMinItems()).maxItems(declared.getMaxItems());
        }
        return stages;
    }

    private static Schema<?> property(Map<String, Schema> schemas, String owner, String name) {
        Schema<?> schema = schemas.get(owner);
        return schema == null || schema.getProperties() == null ? null : schema.getProperties().get(name);
    }

    private static void retype(Map<String, Schema> schemas, String owner, String name, Schema<?> replacement) {
        if (property(schemas, owner, name) != null) {
            schemas.get(owner).getProperties().put(name, replacement);
        }
    }

    private static Schema<?> constant(String value, String description) {
        return new StringSchema()._enum(List.of(value)).description(description).example(value);
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref("#/components/schemas/" + name);
    }

    /** {@code PRUNE} -> {@code Prune}, {@code block-removal} -> {@code BlockRemoval}, {@code WRITE_MODEL} -> {@code WriteModel}. */
    static String pascal(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }
}
