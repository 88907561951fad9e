package dev.whittle.persistence.text;

import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Text and JSON PostgreSQL can store. Neither text nor jsonb can hold NUL (U+0000), yet a model may generate it
 * (token 0x00), task data may carry it, and an error message may quote either; each NUL becomes U+FFFD, the
 * replacement character, so the row is kept (an evaluation, a job's error) instead of the write failing.
 */
public final class StorableText {

    /** What each NUL is stored as. */
    public static final char REPLACEMENT = '\uFFFD';

    /** A {@code \u0000} escape (after an even run of backslashes, so not an escaped backslash followed by u0000). */
    private static final Pattern NUL = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private StorableText() {
    }

    /** {@code text} with each NUL replaced (null stays null). */
    public static String of(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', REPLACEMENT);
    }

    /** {@code value} as a JSON tree whose strings and keys hold no NUL. */
    public static JsonNode json(Object value) {
        JsonMapper json = JsonMapper.shared();
        String text = json.writeValueAsString(value);
        return json.readTree(text.contains("\\u0000") ? NUL.matcher(text).replaceAll("$1\\\\ufffd") : text);
    }
}
