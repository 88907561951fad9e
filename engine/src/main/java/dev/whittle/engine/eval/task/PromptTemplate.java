package dev.whittle.engine.eval.task;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text with fields of a document put in: {@code {question}} is the field's value, {@code {choices[2]}} an item of a
 * list field (from 0); {@code {{} and {@code }}} are literal braces. Everything else is kept exactly, white space
 * and line breaks included.
 */
public final class PromptTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*)(?:\\[(\\d+)])?");

    /** A literal text, or a field (with an item index, or -1 for the whole value). */
    private record Part(String literal, String field, int item) {
    }

    private final String source;
    private final List<Part> parts;

    private PromptTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /** Parses {@code source}; a malformed placeholder is an {@link IllegalArgumentException} naming it. */
    public static PromptTemplate parse(String source) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '{' && i + 1 < source.length() && source.charAt(i + 1) == '{') {
                literal.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < source.length() && source.charAt(i + 1) == '}') {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int close = source.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'{' at character " + i + " is never closed (write {{ for a literal brace)");
                }
                String inner = source.substring(i + 1, close);
                Matcher m = PLACEHOLDER.matcher(inner);
                if (!m.matches()) {
                    throw new IllegalArgumentException("'{" + inner + "}' is not a field name or field[index]");
                }
                if (!literal.isEmpty()) {
                    parts.add(new Part(literal.toString(), null, -1));
                    literal.setLength(0);
                }
                parts.add(new Part(null, m.group(1), m.group(2) == null ? -1 : Integer.parseInt(m.group(2))));
                i = close + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("'}' at character " + i + " has no opening brace (write }} for a literal brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(literal.toString(), null, -1));
        }
        return new PromptTemplate(source, List.copyOf(parts));
    }

    /** The text with {@code doc}'s fields put in; a missing field or item is an error naming the document. */
    public String render(Doc doc) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part.literal() != null) {
                out.append(part.literal());
            } else if (part.item() < 0) {
                out.append(doc.text(part.field()));
            } else {
                List<String> items = doc.texts(part.field());
                if (part.item() >= items.size()) {
                    throw new DatasetException("document " + doc.id() + ": {" + part.field() + "[" + part.item()
                            + "]} but the field has " + items.size() + " items");
                }
                out.append(items.get(part.item()));
            }
        }
        return out.toString();
    }

    /** The fields the template uses. */
    public Set<String> fields() {
        Set<String> fields = new LinkedHashSet<>();
        for (Part part : parts) {
            if (part.field() != null) {
                fields.add(part.field());
            }
        }
        return fields;
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
