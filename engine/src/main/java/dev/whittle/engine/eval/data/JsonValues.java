package dev.whittle.engine.eval.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** JSON values as document fields: scalars as String/Long/Double/Boolean, arrays as lists, objects flattened. */
final class JsonValues {

    private JsonValues() {
    }

    /** Puts each field of {@code object} into {@code fields}; nested objects become {@code outer.inner}; nulls are left out. */
    static void flatten(String prefix, JsonNode object, Map<String, Object> fields) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode value = e.getValue();
            if (value.isObject()) {
                flatten(name, value, fields);
            } else if (!value.isNull()) {
                fields.put(name, value(value));
            }
        }
    }

    static Object value(JsonNode node) {
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonNode item : node) {
                items.add(item.isContainer() ? item.toString() : value(item));
            }
            return List.copyOf(items);
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isString()) {
            return node.stringValue();
        }
        return node.toString();
    }

    /** The strings of a JSON array of strings (other items as their text); empty for a missing node. */
    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode item : array) {
            out.add(item.isString() ? item.stringValue() : item.toString());
        }
        return out;
    }
}
