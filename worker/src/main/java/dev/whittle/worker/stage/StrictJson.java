package dev.whittle.worker.stage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads request JSON into records strictly (unknown fields, wrong types, fractions for integers, strings for
 * numbers are all refused) and turns Jackson's complaint into a {@link FieldProblem} at the field's path.
 */
public final class StrictJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // ALLOW_COERCION_OF_SCALARS covers text read as numbers, not numbers or booleans read as text.
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private StrictJson() {
    }

    /** Reads {@code json} into {@code type}; problems are reported at paths below {@code prefix} (may be empty). */
    public static <T> T read(JsonNode json, Class<T> type, String prefix) {
        try {
            return MAPPER.treeToValue(json, type);
        } catch (JacksonException e) {
            // DatabindException, and InputCoercionException for a number out of its type's range (2147483648 for an int).
            throw new InvalidRequestException(List.of(problem(e, prefix)));
        }
    }

    /** The field path and a plain statement of what is wrong with it. */
    public static FieldProblem problem(JacksonException e, String prefix) {
        String path = path(e.getPath(), prefix);
        if (e instanceof UnrecognizedPropertyException u) {
            return new FieldProblem(path, "unknown field" + known(u.getKnownPropertyIds()));
        }
        if (e instanceof InvalidTypeIdException t && t.getBaseType() != null) {
            return typeIdProblem(t, path);
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException bad) {
            return new FieldProblem(path, bad.getMessage());
        }
        if (e instanceof InputCoercionException c && c.getTargetType() != null) {
            return new FieldProblem(path, "must be " + describe(c.getTargetType()) + range(c.getTargetType()));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return new FieldProblem(path, "must be " + describe(m.getTargetType()));
        }
        return new FieldProblem(path, e.getOriginalMessage());
    }

    /** A missing or unknown discriminator (a PRUNE stage's {@code method}), at its own field, listing the known ones. */
    private static FieldProblem typeIdProblem(InvalidTypeIdException e, String path) {
        Class<?> base = e.getBaseType().getRawClass();
        JsonTypeInfo info = base.getAnnotation(JsonTypeInfo.class);
        JsonSubTypes subtypes = base.getAnnotation(JsonSubTypes.class);
        String field = (path.equals("$") ? "" : path + ".") + (info == null ? "type" : info.property());
        String known = subtypes == null ? "" : Stream.of(subtypes.value()).map(JsonSubTypes.Type::name)
                .collect(Collectors.joining(", "));
        return new FieldProblem(field, (e.getTypeId() == null ? "is required" : "unknown '" + e.getTypeId() + "'")
                + (known.isEmpty() ? "" : "; one of " + known));
    }

    public static String path(List<JacksonException.Reference> references, String prefix) {
        StringBuilder path = new StringBuilder(prefix == null ? "" : prefix);
        for (JacksonException.Reference r : references) {
            if (r.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "$" : path.toString();
    }

    /** The bounds of a bounded number type, for a value outside them. */
    private static String range(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == Long.class || type == long.class) {
            return " from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (type == Short.class || type == short.class) {
            return " from " + Short.MIN_VALUE + " to " + Short.MAX_VALUE;
        }
        return "";
    }

    private static String known(Collection<Object> known) {
        return known == null || known.isEmpty() ? "" : "; known fields: " + known.stream().map(String::valueOf).sorted().toList();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class || type.isEnum()) {
            return type.isEnum() ? "one of " + Stream.of(type.getEnumConstants())
                    .map(constant -> MAPPER.valueToTree(constant).asString()).toList() : "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a " + type.getSimpleName();
    }
}
