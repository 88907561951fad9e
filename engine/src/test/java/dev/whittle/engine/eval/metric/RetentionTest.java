package dev.whittle.engine.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RetentionTest {

    @Test
    void accuracyRetentionIsCompressedOverDenseWithADeltaMethodError() {
        MetricValue r = Retention.of(Metric.ACC, new MetricValue(0.3, 0.03), new MetricValue(0.6, 0.06));
        assertThat(r.value()).isCloseTo(0.5, within(1e-12));
        // sqrt((0.03 / 0.6)^2 + (0.3 * 0.06 / 0.36)^2) = sqrt(0.0025 + 0.0025)
        assertThat(r.stderr()).isCloseTo(Math.sqrt(0.005), within(1e-12));
    }

    @Test
    void perplexityRetentionIsDenseOverCompressedSoLowerIsStillWorse() {
        MetricValue r = Retention.of(Metric.TOKEN_PERPLEXITY, new MetricValue(20, null), new MetricValue(10, null));
        assertThat(r.value()).isEqualTo(0.5);
        assertThat(r.stderr()).isNull();
        assertThat(Retention.of(Metric.BITS_PER_BYTE, new MetricValue(1.0, 0.1), new MetricValue(0.8, 0.1)).value())
                .isCloseTo(0.8, within(1e-12));
    }

    @Test
    void nothingToRetainIsUndefinedAndTheAverageIsUnweighted() {
        assertThat(Retention.of(Metric.EXACT_MATCH, new MetricValue(0.1, 0.01), new MetricValue(0, 0.0))).isNull();
        assertThat(Retention.average(List.of(new MetricValue(0.5, null), new MetricValue(1.0, null))).value()).isEqualTo(0.75);
    }
}
