package dev.whittle.worker.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.whittle.persistence.dataset.DatasetFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a data file once, checking it is what its format says (UTF-8 text; one JSON object per line; CSV whose
 * rows all have the header's number of columns, RFC 4180 quoting), counting its records and hashing it.
 */
public final class DatasetFiles {

    /** What a valid data file holds. */
    public record Description(long sizeBytes, long records, String sha256) {
    }

    private DatasetFiles() {
    }

    public static Description describe(Path file, DatasetFormat format) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (var in = new DigestInputStream(Files.newInputStream(file), digest);
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                     .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
            long records = switch (format) {
                case TEXT -> countLines(reader, false);
                case JSONL -> countLines(reader, true);
                case CSV -> countCsvRows(reader);
            };
            return new Description(Files.size(file), records, HexFormat.of().formatHex(digest.digest()));
        } catch (CharacterCodingException e) {
            throw new InvalidDatasetException(file.getFileName() + " is not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidDatasetException("cannot read " + file.getFileName() + ": " + e.getMessage());
        }
    }

    /** Non-blank lines; for JSONL each must be a JSON object. */
    private static long countLines(BufferedReader reader, boolean json) throws IOException {
        long records = 0;
        long lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            if (json) {
                JsonNode node;
                try {
                    node = JsonMapper.shared().readTree(line);
                } catch (JacksonException e) {
                    throw new InvalidDatasetException("line " + lineNumber + " is not JSON: " + e.getOriginalMessage());
                }
                if (!node.isObject()) {
                    throw new InvalidDatasetException("line " + lineNumber + " is JSON but not an object");
                }
            }
            records++;
        }
        return records;
    }

    /** Data rows after the header; every row must have the header's number of fields. */
    private static long countCsvRows(Reader reader) throws IOException {
        CsvRows rows = new CsvRows(reader);
        int header = rows.next();
        if (header < 0) {
            throw new InvalidDatasetException("the CSV file is empty (it needs a header row)");
        }
        long records = 0;
        for (int fields = rows.next(); fields >= 0; fields = rows.next()) {
            if (fields != header) {
                throw new InvalidDatasetException("row starting on line " + rows.rowLine() + " has " + fields
                        + " field(s); the header has " + header);
            }
            records++;
        }
        return records;
    }

    /** Counts the fields of each CSV row (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks). */
    private static final class CsvRows {
        private final Reader in;
        private long line = 1;
        private long rowLine;
        private int pending = -2;

        CsvRows(Reader in) {
            this.in = in;
        }

        long rowLine() {
            return rowLine;
        }

        /** Fields of the next non-empty row, or -1 at the end. */
        int next() throws IOException {
            int c = read();
            while (c == '\n' || c == '\r') { // blank lines between rows
                c = read();
            }
            if (c < 0) {
                return -1;
            }
            rowLine = line;
            int fields = 1;
            boolean quoted = false;
            boolean fieldStart = true;
            for (; c >= 0; c = read()) {
                if (quoted) {
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            continue;
                        }
                        quoted = false;
                        c = d;
                        if (c < 0) {
                            break;
                        }
                    } else {
                        continue;
                    }
                }
                if (c == '"' && fieldStart) {
                    quoted = true;
                    fieldStart = false;
                } else if (c == ',') {
                    fields++;
                    fieldStart = true;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r') {
                        int d = read();
                        if (d != '\n') {
                            pending = d;
                        }
                    }
                    return fields;
                } else {
                    fieldStart = false;
                }
            }
            if (quoted) {
                throw new InvalidDatasetException("a quoted field opened on line " + rowLine + " is never closed");
            }
            return fields;
        }

        private int read() throws IOException {
            int c;
            if (pending != -2) {
                c = pending;
                pending = -2;
            } else {
                c = in.read();
            }
            if (c == '\n') {
                line++;
            }
            return c;
        }
    }
}
