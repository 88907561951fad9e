package dev.whittle.worker.evaluate;

import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Results as JSON PostgreSQL can store. jsonb cannot hold NUL (U+0000), yet a model may generate it (token 0x00)
 * and task data may carry it; each one becomes U+FFFD, the replacement character, so the evaluation is kept.
 */
final class StorableJson {

    /** A {@code \u0000} escape (after an even run of backslashes, so not an escaped backslash followed by u0000). */
    private static final Pattern NUL = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private StorableJson() {
    }

    static JsonNode tree(Object value) {
        JsonMapper json = JsonMapper.shared();
        String text = json.writeValueAsString(value);
        return json.readTree(text.contains("\\u0000") ? NUL.matcher(text).replaceAll("$1\\\\ufffd") : text);
    }
}
