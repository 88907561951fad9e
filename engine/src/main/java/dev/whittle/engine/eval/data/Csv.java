package dev.whittle.engine.eval.data;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV as Python's {@code csv.reader} reads it (MMLU's files are written by pandas): comma-separated fields,
 * fields in double quotes may hold commas, line breaks and doubled quotes; a quote inside an unquoted field is a
 * plain character; records end at LF or CRLF; a leading byte-order mark is ignored.
 */
final class Csv {

    private Csv() {
    }

    /** The records of {@code text}; {@code source} names the file in errors. */
    static List<List<String>> parse(String text, String source) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        int quoteLine = 0;
        boolean quoted = false;
        boolean fieldStarted = false;
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (quoted) {
                if (c == '"') {
                    if (i < text.length() && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && !fieldStarted) {
                quoted = true;
                fieldStarted = true;
                quoteLine = line;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
                    i++;
                }
                line++;
                if (fieldStarted || !record.isEmpty()) {
                    record.add(field.toString());
                    records.add(List.copyOf(record));
                }
                record.clear();
                field.setLength(0);
                fieldStarted = false;
            } else {
                field.append(c);
                fieldStarted = true;
            }
        }
        if (quoted) {
            throw new DatasetException(source + " line " + quoteLine + ": a quoted field is never closed");
        }
        if (fieldStarted || !record.isEmpty()) {
            record.add(field.toString());
            records.add(List.copyOf(record));
        }
        return records;
    }
}
