package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on the terminal: one line per stage, rewritten in place at most twice a second, with the rate and
 * the time left ({@code perplexity 12288/245760 tokens  1523 tokens/s  ETA 2m31s}).
 */
final class ConsoleProgress implements Progress {

    private static final long INTERVAL_NANOS = 500_000_000L;

    private final PrintStream out;
    private String stage;
    private long stageStart;
    private long lastPrint;
    private boolean lineOpen;

    ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    /** What the counts of a stage count. */
    private static String unitOf(String stage) {
        return switch (stage) {
            case "load" -> "layers";
            case "inspect" -> "bytes";
            case "perplexity", "generate" -> "tokens";
            case "loglikelihood" -> "requests";
            case "prune" -> "blocks";
            case "score", "evaluate" -> "samples";
            default -> "";
        };
    }

    @Override
    public synchronized void report(String stage, long done, long total, String message) {
        long now = System.nanoTime();
        if (!stage.equals(this.stage)) {
            finishLine();
            this.stage = stage;
            stageStart = now;
            lastPrint = 0;
        }
        boolean complete = total > 0 && done >= total;
        if (!complete && now - lastPrint < INTERVAL_NANOS) {
            return;
        }
        lastPrint = now;
        double seconds = (now - stageStart) / 1e9;
        StringBuilder line = new StringBuilder(stage).append(' ').append(done);
        if (total > 0) {
            line.append('/').append(total);
        }
        String stageUnit = unitOf(stage);
        line.append(' ').append(stageUnit);
        if (seconds > 0 && done > 0) {
            double rate = done / seconds;
            line.append(String.format(Locale.ROOT, "  %.1f %s/s", rate, stageUnit));
            if (total > done) {
                line.append("  ETA ").append(duration((total - done) / rate));
            }
        }
        if (message != null) {
            line.append("  ").append(message);
        }
        out.print("\r" + line + "\033[K");
        lineOpen = true;
        if (complete) {
            finishLine();
        }
        out.flush();
    }

    /** Ends the line in progress, if any. */
    synchronized void finishLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return s / 3600 + "h" + String.format(Locale.ROOT, "%02d", s % 3600 / 60) + "m";
    }
}
