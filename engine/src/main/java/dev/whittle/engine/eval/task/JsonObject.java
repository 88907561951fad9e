package dev.whittle.engine.eval.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Typed reading of one JSON object of a definition, collecting problems instead of stopping at the first: each names
 * the field by its path ({@code fewshot.k: expected a whole number, got "five"}). Fields not in {@code known} are
 * problems too, so a misspelt option is not silently ignored.
 */
final class JsonObject {

    private final JsonNode node;
    private final String path;
    private final List<String> problems;

    JsonObject(JsonNode node, String path, Set<String> known, List<String> problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!known.contains(e.getKey())) {
                problems.add(where(e.getKey()) + ": unknown field (known here: " + String.join(", ", known) + ")");
            }
        }
    }

    String where(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    void problem(String field, String message) {
        problems.add(where(field) + ": " + message);
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    /** The text of a field; {@code fallback} when absent (a problem when required, i.e. fallback null and required). */
    String string(String field, String fallback, boolean required) {
        if (!has(field)) {
            if (required) {
                problem(field, "required");
            }
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isString()) {
            problem(field, "expected a string, got " + value);
            return fallback;
        }
        return value.stringValue();
    }

    Long whole(String field, Long fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            problem(field, "expected a whole number, got " + value);
            return fallback;
        }
        return value.longValue();
    }

    Integer integer(String field, Integer fallback) {
        Long value = whole(field, fallback == null ? null : (long) fallback);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            problem(field, "out of range: " + value);
            return fallback;
        }
        return value.intValue();
    }

    boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isBoolean()) {
            problem(field, "expected true or false, got " + value);
            return fallback;
        }
        return value.booleanValue();
    }

    /** A list of strings, or null when absent. */
    List<String> strings(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            problem(field, "expected a list of strings, got " + value);
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isString()) {
                problem(field + "[" + i + "]", "expected a string, got " + value.get(i));
            } else {
                out.add(value.get(i).stringValue());
            }
        }
        return out;
    }

    /** A list of whole numbers in int range, or null when absent. */
    List<Integer> integers(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            problem(field, "expected a list of whole numbers, got " + value);
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isIntegralNumber() || !value.get(i).canConvertToInt()) {
                problem(field + "[" + i + "]", "expected a whole number, got " + value.get(i));
            } else {
                out.add(value.get(i).intValue());
            }
        }
        return out;
    }

    /** A nested object, or null when absent (a problem when required or not an object). */
    JsonObject object(String field, Set<String> known, boolean required) {
        if (!has(field)) {
            if (required) {
                problem(field, "required");
            }
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isObject()) {
            problem(field, "expected an object, got " + value);
            return null;
        }
        return new JsonObject(value, where(field), known, problems);
    }

    /** The items of an array of objects, or null when absent. */
    List<JsonObject> objects(String field, Set<String> known) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            problem(field, "expected a list, got " + value);
            return null;
        }
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isObject()) {
                problem(field + "[" + i + "]", "expected an object, got " + value.get(i));
            } else {
                out.add(new JsonObject(value.get(i), where(field) + "[" + i + "]", known, problems));
            }
        }
        return out;
    }
}
