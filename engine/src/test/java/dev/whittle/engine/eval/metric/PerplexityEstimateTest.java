package dev.whittle.engine.eval.metric;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PerplexityEstimateTest {

    @Test
    void valuesAndDeltaMethodErrorsFromTwoWindowsWorkedByHand() {
        // R = 24 / 10 = 2.4; residuals 10 - 12 = -2 and 14 - 12 = 2; sqrt(8 / (2 * 1)) / 5 = 0.4 (the standard error
        // of the per-window means 2.0 and 2.8: sd 0.5657 / sqrt 2).
        PerplexityEstimate e = PerplexityEstimate.of(new double[] {10, 14}, new long[] {5, 5}, 4, 20);

        assertThat(e.tokenPerplexity().value()).isCloseTo(Math.exp(2.4), within(1e-9));
        assertThat(e.tokenPerplexity().stderr()).isCloseTo(Math.exp(2.4) * 0.4, within(1e-9));
        assertThat(e.wordPerplexity().value()).isCloseTo(Math.exp(6), within(1e-9));
        assertThat(e.wordPerplexity().stderr()).isCloseTo(Math.exp(6) * 2.5 * 0.4, within(1e-9));
        assertThat(e.bitsPerByte().value()).isCloseTo(24 / (20 * Math.log(2)), within(1e-12));
        assertThat(e.bitsPerByte().stderr()).isCloseTo(10 / (20 * Math.log(2)) * 0.4, within(1e-12));
    }

    @Test
    void windowsOfUnequalLengthUseTheRatioEstimator() {
        // R = (3 + 9) / (2 + 4) = 2; residuals 3 - 4 = -1, 9 - 8 = 1; sqrt(2 / 2) / 3 = 1/3.
        PerplexityEstimate e = PerplexityEstimate.of(new double[] {3, 9}, new long[] {2, 4}, 3, 6);
        assertThat(e.tokenPerplexity().value()).isCloseTo(Math.exp(2), within(1e-12));
        assertThat(e.tokenPerplexity().stderr()).isCloseTo(Math.exp(2) / 3, within(1e-12));
    }

    @Test
    void oneWindowHasNoStandardErrorAndEmptyTextIsRefused() {
        assertThat(PerplexityEstimate.of(new double[] {3}, new long[] {2}, 1, 4).tokenPerplexity().stderr()).isNull();
        assertThatThrownBy(() -> PerplexityEstimate.of(new double[] {3}, new long[] {2}, 0, 4)).hasMessageContaining("no words");
    }
}
