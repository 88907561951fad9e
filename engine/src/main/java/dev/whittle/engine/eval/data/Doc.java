package dev.whittle.engine.eval.data;

import java.util.List;
import java.util.Map;

/**
 * One document of a dataset: named fields as a loader produced them, each a string, a whole number ({@code Long}), a
 * number ({@code Double}), a boolean or a list of those. Prompt templates and a task's field names refer to them.
 *
 * @param index the document's position in its split (0-based)
 */
public record Doc(int index, Map<String, Object> fields) {

    public Doc {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** The {@code id} field if there is one, else the index. */
    public String id() {
        Object id = fields.get("id");
        return id == null ? String.valueOf(index) : id.toString();
    }

    public boolean has(String field) {
        return fields.containsKey(field);
    }

    /** The field's value, or an error that names the document and the fields it has. */
    public Object get(String field) {
        Object value = fields.get(field);
        if (value == null) {
            throw new DatasetException("document " + id() + " has no field '" + field + "' (it has: "
                    + String.join(", ", fields.keySet()) + ")");
        }
        return value;
    }

    /** A scalar field as text (numbers as written: 3, not 3.0). */
    public String text(String field) {
        Object value = get(field);
        if (value instanceof List<?>) {
            throw new DatasetException("document " + id() + ": field '" + field + "' is a list, not a single value");
        }
        return value.toString();
    }

    /** A list field as texts; a scalar field is a list of one. */
    public List<String> texts(String field) {
        Object value = get(field);
        if (value instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        return List.of(value.toString());
    }
}
