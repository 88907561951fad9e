package dev.whittle.engine.eval.metric;

import java.util.List;

/**
 * How much of the dense model's quality a compressed model keeps: {@code compressed / dense} for metrics where higher
 * is better, {@code dense / compressed} where lower is (perplexities, bits per byte), so 1 means nothing was lost and
 * smaller means worse in both cases.
 */
public final class Retention {

    private Retention() {
    }

    /**
     * The retention of {@code metric}, with a delta-method standard error treating the two estimates as independent:
     * for {@code r = a / b}, {@code se_r = sqrt((se_a / b)^2 + (a se_b / b^2)^2)}. Null when the denominator is 0
     * (nothing to retain).
     */
    public static MetricValue of(Metric metric, MetricValue compressed, MetricValue dense) {
        MetricValue a = metric.higherIsBetter() ? compressed : dense;
        MetricValue b = metric.higherIsBetter() ? dense : compressed;
        if (b.value() == 0) {
            return null;
        }
        Double stderr = a.stderr() == null || b.stderr() == null ? null
                : Math.hypot(a.stderr() / b.value(), a.value() * b.stderr() / (b.value() * b.value()));
        return new MetricValue(a.value() / b.value(), stderr);
    }

    /** The average retention over tasks (unweighted), with {@link MetricValue#macroMean}'s standard error. */
    public static MetricValue average(List<MetricValue> retentions) {
        return MetricValue.macroMean(retentions);
    }
}
