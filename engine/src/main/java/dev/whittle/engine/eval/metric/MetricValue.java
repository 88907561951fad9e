package dev.whittle.engine.eval.metric;

/**
 * A metric's value and its standard error ({@code null} where it is undefined: fewer than two samples, or a ratio
 * whose denominator is zero).
 */
public record MetricValue(double value, Double stderr) {

    /**
     * The mean of per-sample scores with the standard error of the mean: the sample standard deviation
     * ({@code n - 1} in the denominator) over {@code sqrt(n)}, as lm-evaluation-harness reports it.
     */
    public static MetricValue mean(double[] scores) {
        int n = scores.length;
        if (n == 0) {
            throw new IllegalArgumentException("a mean needs at least one score");
        }
        double sum = 0;
        for (double s : scores) {
            sum += s;
        }
        double mean = sum / n;
        if (n < 2) {
            return new MetricValue(mean, null);
        }
        double squares = 0;
        for (double s : scores) {
            squares += (s - mean) * (s - mean);
        }
        return new MetricValue(mean, Math.sqrt(squares / (n - 1)) / Math.sqrt(n));
    }

    /**
     * The unweighted mean of independent estimates (a macro average over groups): its standard error is
     * {@code sqrt(sum stderr_i^2) / k}, undefined if any part's is.
     */
    public static MetricValue macroMean(java.util.List<MetricValue> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a macro average needs at least one part");
        }
        double sum = 0;
        double variance = 0;
        boolean defined = true;
        for (MetricValue p : parts) {
            sum += p.value();
            if (p.stderr() == null) {
                defined = false;
            } else {
                variance += p.stderr() * p.stderr();
            }
        }
        int k = parts.size();
        return new MetricValue(sum / k, defined ? Math.sqrt(variance) / k : null);
    }
}
