package dev.whittle.api.reports;

import java.util.List;
import java.util.Locale;

import dev.whittle.engine.eval.metric.MetricValue;

/**
 * How reports write tables as text: the cells (metrics with their standard errors, ratios, percentages, counts) and a
 * header plus rows as a Markdown table or as CSV (RFC 4180). The comparison and the experiment results share them.
 */
public final class TextTables {

    private TextTables() {
    }

    /** A Markdown table: the header, the separator, a line per row. */
    public static String markdown(List<String> header, List<List<String>> rows) {
        StringBuilder out = new StringBuilder("|");
        header.forEach(h -> out.append(' ').append(h).append(" |"));
        out.append('\n').append("|---".repeat(header.size())).append("|\n");
        for (List<String> row : rows) {
            out.append('|');
            row.forEach(cell -> out.append(' ').append(cell == null || cell.isEmpty() ? "-" : cell.replace("|", "\\|"))
                    .append(" |"));
            out.append('\n');
        }
        return out.toString();
    }

    /** CSV: the header and the rows, each field quoted where it must be. */
    public static String csv(List<String> header, List<List<String>> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", header.stream().map(TextTables::field).toList())).append('\n');
        rows.forEach(row -> out.append(String.join(",", row.stream().map(TextTables::field).toList())).append('\n'));
        return out.toString();
    }

    /** A metric with its standard error, to 3 decimals (2 from 10 up). */
    public static String metric(MetricValue v) {
        String format = Math.abs(v.value()) >= 10 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, v.value())
                + (v.stderr() == null ? "" : " ± " + String.format(Locale.ROOT, format, v.stderr()));
    }

    /** A ratio (a retention) with its standard error, to 3 decimals. */
    public static String ratio(MetricValue v) {
        return String.format(Locale.ROOT, "%.3f", v.value())
                + (v.stderr() == null ? "" : String.format(Locale.ROOT, " ± %.3f", v.stderr()));
    }

    public static String percent(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    public static String count(Long v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%,d", v);
    }

    /** A number as Java writes it (all its digits), empty for none: for CSV. */
    public static String number(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    /** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
    public static String field(String s) {
        if (s == null) {
            return "";
        }
        return s.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r')
                ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
