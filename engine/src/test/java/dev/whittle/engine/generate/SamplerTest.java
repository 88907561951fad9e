package dev.whittle.engine.generate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    private static final int DRAWS = 40_000;

    @Test
    void greedyPicksTheLargestLogitAndTheFirstOnTies() {
        assertThat(Sampler.greedy().sample(new float[] {0.1f, 3f, -2f, 3f})).isEqualTo(1);
    }

    @Test
    void drawsFollowTheSoftmaxOfLogitsOverTemperature() {
        float[] logits = {1f, 0f, -1f, 0.5f};
        double[] frequencies = frequencies(new Sampler(0.5f, 1f, 3), logits);

        double[] expected = softmax(logits, 0.5);
        for (int i = 0; i < logits.length; i++) {
            assertThat(frequencies[i]).isCloseTo(expected[i], within(0.01));
        }
    }

    @Test
    void topPKeepsTheSmallestSetOfLikeliestTokensReachingPAndRenormalises() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        double[] frequencies = frequencies(new Sampler(1f, 0.7f, 5), logits);

        assertThat(frequencies[0]).isCloseTo(0.5 / 0.8, within(0.01));
        assertThat(frequencies[1]).isCloseTo(0.3 / 0.8, within(0.01));
        assertThat(frequencies[2]).isZero();
        assertThat(frequencies[3]).isZero();
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        float[] logits = {0.3f, 0.2f, 0.1f, 0f, -0.1f};
        Sampler a = new Sampler(1f, 0.9f, 42);
        Sampler b = new Sampler(1f, 0.9f, 42);
        for (int i = 0; i < 100; i++) {
            assertThat(a.sample(logits)).isEqualTo(b.sample(logits));
        }
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> new Sampler(-1f, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(1f, 0f, 0)).hasMessageContaining("top-p");
    }

    private static double[] frequencies(Sampler sampler, float[] logits) {
        double[] counts = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(logits)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    private static double[] softmax(float[] logits, double temperature) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / temperature);
            sum += p[i];
        }
        for (int i = 0; i < logits.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
