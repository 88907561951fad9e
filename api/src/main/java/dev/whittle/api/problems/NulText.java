package dev.whittle.api.problems;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.whittle.worker.stage.FieldProblem;
import tools.jackson.databind.JsonNode;

/**
 * Text holding NUL (U+0000): PostgreSQL cannot store it in text or jsonb, so it is refused where it enters, at
 * the field that holds it, rather than failing later as a storage error.
 */
final class NulText {

    static final String MESSAGE = "must not contain the NUL character (\\u0000)";

    private NulText() {
    }

    static boolean holdsNul(String text) {
        return text != null && text.indexOf('\0') >= 0;
    }

    /** The fields of {@code json} (names or string values) that hold NUL, by path. */
    static List<FieldProblem> problems(JsonNode json) {
        List<FieldProblem> problems = new ArrayList<>();
        collect(json, "", problems);
        return problems;
    }

    private static void collect(JsonNode node, String path, List<FieldProblem> problems) {
        if (node.isString() && holdsNul(node.asString())) {
            problems.add(new FieldProblem(path.isEmpty() ? "$" : path, MESSAGE));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "[" + i + "]", problems);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (holdsNul(field.getKey())) {
                    problems.add(new FieldProblem(child, "the field's name " + MESSAGE));
                }
                collect(field.getValue(), child, problems);
            }
        }
    }
}
