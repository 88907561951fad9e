package dev.whittle.engine.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricValueTest {

    @Test
    void theStandardErrorOfAMeanIsTheSampleStandardDeviationOverRootN() {
        // mean 0.75; squared deviations 3 x 0.0625 + 0.5625 = 0.75; sample variance 0.75 / 3 = 0.25; se 0.5 / 2.
        MetricValue v = MetricValue.mean(new double[] {1, 0, 1, 1});
        assertThat(v.value()).isEqualTo(0.75);
        assertThat(v.stderr()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void oneSampleHasNoStandardErrorAndNoSamplesIsRefused() {
        assertThat(MetricValue.mean(new double[] {0.4}).stderr()).isNull();
        assertThatThrownBy(() -> MetricValue.mean(new double[0])).hasMessageContaining("at least one");
    }

    @Test
    void aMacroAverageCombinesIndependentErrors() {
        MetricValue macro = MetricValue.macroMean(List.of(new MetricValue(0.5, 0.1), new MetricValue(0.7, 0.2)));
        assertThat(macro.value()).isCloseTo(0.6, within(1e-12));
        assertThat(macro.stderr()).isCloseTo(Math.sqrt(0.05) / 2, within(1e-12));
        assertThat(MetricValue.macroMean(List.of(new MetricValue(0.5, null), new MetricValue(0.7, 0.2))).stderr()).isNull();
    }
}
