package dev.whittle.engine.prune;

import java.nio.file.Path;

/** Where calibration text comes from. */
public sealed interface CalibrationSource {

    /** For the record: what was read. */
    String describe();

    /** A UTF-8 text file, tokenised whole and cut into windows at random starts (the official WikiText-2 loader). */
    record TextFile(Path path) implements CalibrationSource {
        @Override
        public String describe() {
            return "text file " + path.getFileName();
        }
    }

    /**
     * A JSON-lines file, one document per line with its text under {@code field} (default {@code text}): windows
     * come from random documents longer than the window, as the official C4 loader draws them.
     */
    record JsonLines(Path path, String field) implements CalibrationSource {
        public static final String DEFAULT_FIELD = "text";

        public JsonLines {
            field = field == null || field.isBlank() ? DEFAULT_FIELD : field;
        }

        @Override
        public String describe() {
            return "JSON lines " + path.getFileName() + " (field " + field + ")";
        }
    }

    /** A calibration set the platform provides; see {@link CalibrationSampler#builtInNames()}. */
    record BuiltIn(String name) implements CalibrationSource {
        @Override
        public String describe() {
            return "built-in " + name;
        }
    }
}
