package dev.whittle.engine.generate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DraftStepTest {

    /** The softmax statistics against the textbook definitions in double: p = e^x / Σe^x, H = -Σ p ln p. */
    @Test
    void theStatisticsAreThoseOfTheSoftmaxOfTheLogits() {
        float[] logits = {0.5f, 3f, -1f, 2.25f, 1f};
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x);
        }
        double entropy = 0;
        for (float x : logits) {
            double p = Math.exp(x) / sum;
            entropy -= p * Math.log(p);
        }

        DraftStep first = DraftStep.of(null, logits, 0, logits.length);

        assertThat(first.index()).isEqualTo(1);
        assertThat(first.top1()).isCloseTo(Math.exp(3) / sum, within(1e-12));
        assertThat(first.top2()).isCloseTo(Math.exp(2.25) / sum, within(1e-12));
        assertThat(first.entropy()).isCloseTo(entropy, within(1e-12));
        assertThat(first.cumulative()).isCloseTo(first.top1(), within(1e-15));
    }

    @Test
    void aRoundsStepsMultiplyTheirTopProbabilitiesAndReadTheirOwnRowOfLogits() {
        float[] rows = {9f, 9f, 9f, 0f, 0f, Float.NEGATIVE_INFINITY, 0f, 0f, 0f, 0f, 0f, 0f};
        DraftStep first = DraftStep.of(null, rows, 3, 3);
        DraftStep second = DraftStep.of(first, rows, 6, 3);

        // Row {0, 0, -inf}: two equal tokens of one half each, one bit of entropy.
        assertThat(first.top1()).isCloseTo(0.5, within(1e-15));
        assertThat(first.top2()).isCloseTo(0.5, within(1e-15));
        assertThat(first.entropy()).isCloseTo(Math.log(2), within(1e-12));
        assertThat(second.index()).isEqualTo(2);
        assertThat(second.top1()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(second.entropy()).isCloseTo(Math.log(3), within(1e-12));
        assertThat(second.cumulative()).isCloseTo(0.5 / 3, within(1e-15));
    }
}
