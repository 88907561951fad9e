package dev.whittle.engine.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.whittle.engine.io.ModelFormatException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed reads of one JSON object, with errors that name the file and the field ({@code prefix} names the
 * enclosing object, e.g. {@code rope_scaling.}).
 */
record JsonFields(ObjectNode node, Path source, String prefix) {

    JsonFields(ObjectNode node, Path source) {
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
