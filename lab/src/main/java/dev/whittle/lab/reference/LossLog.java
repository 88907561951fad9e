package dev.whittle.lab.reference;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's loss log, a CSV file with one row per update: what the loss curve and the model card are drawn from.
 * Updates made after the last checkpoint are made again when the run resumes, so opening the log at the
 * resumed update drops the rows beyond it; {@code seconds} is the training time up to each update, summed over
 * the slices of the run.
 */
public final class LossLog {

    static final String HEADER = "update,tokens,loss,grad_norm,lr,tokens_per_s,seconds";

    /** One update. */
    public record Row(long update, long tokens, double loss, double gradNorm, double learningRate,
                      double tokensPerSecond, double seconds) {

        String csv() {
            return String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6g,%.1f,%.2f", update, tokens, loss, gradNorm,
                    learningRate, tokensPerSecond, seconds);
        }

        static Row parse(String line, Path file, int lineNumber) {
            String[] f = line.split(",");
            try {
                return new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                        Double.parseDouble(f[6]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + lineNumber + " is not a loss-log row: " + line, e);
            }
        }
    }

    private final Path file;
    private final List<Row> rows;

    private LossLog(Path file, List<Row> rows) {
        this.file = file;
        this.rows = rows;
    }

    /**
     * A later phase's rows as a continuation of the run whose last row is {@code previous} (null for the first
     * phase): updates, tokens and seconds counted on from there, so phases plot as one curve.
     */
    public static List<Row> continued(List<Row> rows, Row previous) {
        if (previous == null) {
            return rows;
        }
        return rows.stream().map(r -> new Row(previous.update() + r.update(), previous.tokens() + r.tokens(), r.loss(),
                r.gradNorm(), r.learningRate(), r.tokensPerSecond(), previous.seconds() + r.seconds())).toList();
    }

    /** The log in {@code file} keeping the rows up to {@code resumedUpdate} (the file is rewritten to match). */
    public static LossLog open(Path file, long resumedUpdate) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 1; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    Row row = Row.parse(lines.get(i), file, i + 1);
                    if (row.update() <= resumedUpdate) {
                        rows.add(row);
                    }
                }
            }
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        List<String> kept = new ArrayList<>();
        kept.add(HEADER);
        rows.forEach(r -> kept.add(r.csv()));
        Files.write(temp, kept, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new LossLog(file, rows);
    }

    /** Reads a log without changing it. */
    public static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(Row.parse(lines.get(i), file, i + 1));
            }
        }
        return rows;
    }

    public void append(Row row) {
        rows.add(row);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            out.write(row.csv());
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Training seconds up to the last row (0 for an empty log). */
    public double seconds() {
        return rows.isEmpty() ? 0 : rows.getLast().seconds();
    }

    public Path file() {
        return file;
    }
}
