package dev.whittle.api.docs;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.MediaType;

/**
 * The last pass over the document, for what client generators trip on:
 * <ul>
 * <li>a Jackson {@code JsonNode} in a view (free JSON: an architecture summary, an event's data) is any JSON value,
 * not the {@code JsonNode} bean with its {@code nodeType} getters;</li>
 * <li>a {@code default} or {@code example} given as annotation text is written as the schema's type (a number, not
 * {@code "0.01"});</li>
 * <li>an event stream is text, not a {@code SseEmitter};</li>
 * <li>a nested Jackson polymorphic type (DISTILL's {@code adapter}) is a discriminated {@code oneOf} of flat
 * variants, each with its discriminator as a one-value enum: the variants springdoc writes as {@code allOf} of the
 * parent make the Java generator give every variant the others' fields;</li>
 * <li>schemas nothing reaches from an operation (the per-class ones the stage schemas replaced) are dropped.</li>
 * </ul>
 */
final class SchemaTidy implements OpenApiCustomizer {

    private static final String REF = "#/components/schemas/";
    private static final String JSON_NODE = REF + "JsonNode";

    @Override
    public void customise(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        eventStreamsAsText(openApi);
        flatVariants(schemas);
        forEachSchema(openApi, schema -> {
            anyJsonForJsonNode(schema);
            typedValues(schema);
        });
        schemas.keySet().retainAll(reachable(openApi));
    }

    private static void flatVariants(Map<String, Schema> schemas) {
        for (Map.Entry<String, Schema> entry : Map.copyOf(schemas).entrySet()) {
            Schema<?> parent = entry.getValue();
            if (parent.getDiscriminator() == null || parent.getOneOf() == null
                    || parent.getDiscriminator().getMapping() == null) {
                continue;
            }
            String property = parent.getDiscriminator().getPropertyName();
            boolean flattened = false;
            for (Map.Entry<String, String> variant : parent.getDiscriminator().getMapping().entrySet()) {
                String name = variant.getValue().substring(REF.length());
                Schema<?> child = schemas.get(name);
                if (child == null || child.getAllOf() == null
                        || child.getAllOf().stream().noneMatch(m -> (REF + entry.getKey()).equals(m.get$ref()))) {
                    continue;
                }
                Schema<Object> flat = new Schema<>().type("object").description(child.getDescription());
                flat.addProperty(property, new StringSchema()._enum(List.of(variant.getKey())));
                flat.addRequiredItem(property);
                for (Schema<?> member : child.getAllOf()) {
                    if (member.get$ref() == null && member.getProperties() != null) {
                        member.getProperties().forEach(flat::addProperty);
                        if (member.getRequired() != null) {
                            member.getRequired().forEach(flat::addRequiredItem);
                        }
                    }
                }
                schemas.put(name, flat);
                flattened = true;
            }
            if (flattened) {
                parent.setProperties(null);
                parent.setRequired(null);
                parent.setType(null);
                parent.setTypes(null);
            }
        }
    }

    private static void eventStreamsAsText(OpenAPI openApi) {
        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation ->
                operation.getResponses().values().forEach(response -> {
                    if (response.getContent() != null && response.getContent().get(MediaType.TEXT_EVENT_STREAM_VALUE) != null) {
                        response.getContent().get(MediaType.TEXT_EVENT_STREAM_VALUE).schema(new StringSchema().description(
                                "Server-Sent Events: `id` (the event id), `event` (its type) and `data` (the event as "
                                        + "JSON, as GET .../events lists it)"));
                    }
                })));
    }

    private static void anyJsonForJsonNode(Schema<?> schema) {
        if (JSON_NODE.equals(schema.get$ref())) {
            schema.set$ref(null);
            if (schema.getDescription() == null) {
                schema.setDescription("Any JSON value");
            }
        }
    }

    /** Annotation text parsed as the schema's number, integer or boolean. */
    private static void typedValues(Schema<?> schema) {
        String type = schema.getType() != null ? schema.getType()
                : schema.getTypes() != null && schema.getTypes().size() == 1 ? schema.getTypes().iterator().next() : null;
        if (type == null) {
            return;
        }
        if (schema.getDefault() instanceof String text) {
            schema.setDefault(parse(type, text));
        }
        if (schema.getExample() instanceof String text) {
            schema.setExample(parse(type, text));
        }
    }

    private static Object parse(String type, String text) {
        try {
            return switch (type) {
                case "number" -> new BigDecimal(text);
                case "integer" -> Long.valueOf(text);
                case "boolean" -> Boolean.valueOf(text);
                case "array", "object" -> Json31.mapper().readTree(text);
                default -> text;
            };
        } catch (NumberFormatException | java.io.IOException e) {
            return text;
        }
    }

    /** Every schema in the document: components and the operations' own, with everything they nest. */
    private static void forEachSchema(OpenAPI openApi, Consumer<Schema<?>> action) {
        Deque<Schema<?>> todo = new ArrayDeque<>();
        openApi.getComponents().getSchemas().values().forEach(todo::add);
        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
            if (operation.getParameters() != null) {
                operation.getParameters().forEach(p -> add(todo, p.getSchema()));
            }
            if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
                operation.getRequestBody().getContent().values().forEach(m -> add(todo, m.getSchema()));
            }
            operation.getResponses().values().forEach(r -> {
                if (r.getContent() != null) {
                    r.getContent().values().forEach(m -> add(todo, m.getSchema()));
                }
            });
        }));
        Set<Schema<?>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Schema<?> schema = todo.pop();
            if (!seen.add(schema)) {
                continue;
            }
            action.accept(schema);
            children(schema).forEach(child -> add(todo, child));
        }
    }

    /** The names of the component schemas an operation reaches, directly or through other schemas. */
    private static Set<String> reachable(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        Set<String> names = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        Consumer<Object> collect = node -> refs(Json31.mapper().valueToTree(node), todo);
        openApi.getPaths().values().forEach(collect);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (names.add(name) && schemas.get(name) != null) {
                collect.accept(schemas.get(name));
            }
        }
        return names;
    }

    private static void refs(com.fasterxml.jackson.databind.JsonNode node, Deque<String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("$ref") && field.getValue().asText().startsWith(REF)) {
                    into.push(field.getValue().asText().substring(REF.length()));
                } else {
                    refs(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> refs(element, into));
        }
    }

    private static List<Schema<?>> children(Schema<?> schema) {
        List<Schema<?>> children = new java.util.ArrayList<>();
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(children::add);
        }
        addAll(children, schema.getAllOf());
        addAll(children, schema.getOneOf());
        addAll(children, schema.getAnyOf());
        if (schema.getItems() != null) {
            children.add(schema.getItems());
        }
        if (schema.getAdditionalProperties() instanceof Schema<?> additional) {
            children.add(additional);
        }
        return children;
    }

    private static void addAll(List<Schema<?>> into, List<Schema> schemas) {
        if (schemas != null) {
            schemas.forEach(into::add);
        }
    }

    private static void add(Deque<Schema<?>> todo, Schema<?> schema) {
        if (schema != null) {
            todo.push(schema);
        }
    }
}
