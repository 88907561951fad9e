package dev.whittle.engine.train;

import java.util.Locale;

/**
 * The speed of training as the issue asks it reported: tokens per second, achieved GFLOPS (the model's
 * training flops per token times tokens per second) and, when the machine's FP32 FMA ceiling is known, the
 * fraction of it that was achieved.
 *
 * @param ceilingGflops the FMA ceiling of this machine (all threads); 0 when not measured
 */
public record Throughput(long tokens, double seconds, double flopsPerToken, double ceilingGflops) {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    public double gflops() {
        return tokensPerSecond() * flopsPerToken / 1e9;
    }

    /** Achieved over ceiling, or NaN when the ceiling is unknown. */
    public double ceilingFraction() {
        return ceilingGflops > 0 ? gflops() / ceilingGflops : Double.NaN;
    }

    @Override
    public String toString() {
        String base = String.format(Locale.ROOT, "%.0f tokens/s, %.1f GFLOPS", tokensPerSecond(), gflops());
        return ceilingGflops > 0
                ? base + String.format(Locale.ROOT, " (%.2f of the %.0f GFLOPS FMA ceiling)", ceilingFraction(), ceilingGflops)
                : base;
    }
}
