package dev.whittle.engine.train.optim;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AdamWTest {

    /** AdamW as the paper and PyTorch state it, in double, one scalar at a time. */
    static final class ScalarAdamW {
        final double beta1, beta2, eps, weightDecay;
        final double[] w, m, v;
        final boolean decay;
        int t;

        ScalarAdamW(double[] w, boolean decay, AdamW.Config c) {
            this.w = w.clone();
            this.m = new double[w.length];
            this.v = new double[w.length];
            this.decay = decay;
            this.beta1 = c.beta1();
            this.beta2 = c.beta2();
            this.eps = c.epsilon();
            this.weightDecay = c.weightDecay();
        }

        void step(double lr, double[] g) {
            t++;
            for (int i = 0; i < w.length; i++) {
                if (decay) {
                    w[i] -= lr * weightDecay * w[i];
                }
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat = v[i] / (1 - Math.pow(beta2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
    }

    @Test
    void updatesMatchAScalarDoubleReferenceWithAndWithoutDecay() {
        Random random = new Random(42);
        AdamW.Config config = new AdamW.Config(0.9, 0.95, 1e-8, 0.1);
        float[] matrix = randomValues(random, 6 * 5);
        float[] norm = randomValues(random, 5);
        Parameter weight = Parameter.trainable("layers.0.mlp.up_proj.weight", new int[]{6, 5}, matrix);
        Parameter gain = Parameter.trainable("layers.0.input_layernorm.weight", new int[]{5}, norm);
        assertThat(weight.decays()).isTrue();
        assertThat(gain.decays()).isFalse();
        ParameterSet parameters = new ParameterSet(List.of(weight, gain));
        AdamW adam = new AdamW(parameters, config);
        ScalarAdamW refWeight = new ScalarAdamW(toDouble(matrix), true, config);
        ScalarAdamW refGain = new ScalarAdamW(toDouble(norm), false, config);
        LearningRateSchedule schedule = new LearningRateSchedule(1e-2, 1e-3, 3, 20);

        for (int step = 0; step < 20; step++) {
            float[] gw = randomValues(random, matrix.length);
            float[] gg = randomValues(random, norm.length);
            System.arraycopy(gw, 0, weight.grad(), 0, gw.length);
            System.arraycopy(gg, 0, gain.grad(), 0, gg.length);
            double lr = schedule.at(step);
            adam.update(lr);
            refWeight.step(lr, toDouble(gw));
            refGain.step(lr, toDouble(gg));
        }
        assertThat(adam.step()).isEqualTo(20);
        assertMatches(matrix, refWeight.w);
        assertMatches(norm, refGain.w);
        assertMatches(adam.firstMoment(weight), refWeight.m);
        assertMatches(adam.secondMoment(gain), refGain.v);
    }

    @Test
    void frozenParametersHaveNoGradientAndNeverChange() {
        float[] values = {1f, -2f, 3f};
        Parameter frozen = Parameter.trainable("model.embed_tokens.weight", new int[]{1, 3}, values).frozen();
        Parameter live = Parameter.trainable("w", new int[]{1, 3}, new float[]{1f, 1f, 1f});
        AdamW adam = new AdamW(new ParameterSet(List.of(frozen, live)), AdamW.Config.languageModel());
        assertThat(frozen.grad()).isNull();
        assertThat(adam.parameters()).containsExactly(live);
        live.grad()[0] = 1f;
        for (int i = 0; i < 10; i++) {
            adam.update(0.1);
        }
        assertThat(values).containsExactly(1f, -2f, 3f);
        assertThat(live.value()[0]).isLessThan(1f);
    }

    @Test
    void prunedWeightsStayExactlyZeroThroughManyStepsOfMomentumAndDecay() {
        Random random = new Random(7);
        float[] values = randomValues(random, 40);
        for (int i = 0; i < values.length; i += 3) {
            values[i] = 0f; // pruned
        }
        float[] before = values.clone();
        Parameter p = Parameter.trainable("w", new int[]{8, 5}, values).withMask(SparsityMask.ofZeros(values));
        assertThat(p.mask().prunedCount()).isEqualTo(14);
        AdamW adam = new AdamW(new ParameterSet(List.of(p)), new AdamW.Config(0.9, 0.999, 1e-8, 0.5));
        for (int step = 0; step < 300; step++) {
            float[] g = randomValues(random, values.length); // non-zero gradient at pruned positions too
            System.arraycopy(g, 0, p.grad(), 0, g.length);
            adam.update(1e-2);
        }
        for (int i = 0; i < values.length; i++) {
            if (i % 3 == 0) {
                assertThat(Float.floatToRawIntBits(values[i])).as("pruned entry %d", i).isZero();
                assertThat(adam.firstMoment(p)[i]).isZero();
            } else {
                assertThat(values[i]).as("live entry %d", i).isNotEqualTo(before[i]);
            }
        }
    }

    @Test
    void aMaskZeroesThePrunedValuesItIsGiven() {
        float[] values = {1f, 2f, 3f, 4f};
        Parameter p = Parameter.trainable("w", new int[]{2, 2}, values).withMask(SparsityMask.ofIndices(4, new int[]{2, 0}));
        assertThat(values).containsExactly(0f, 2f, 0f, 4f);
        assertThat(p.mask().isPruned(2)).isTrue();
        assertThat(p.mask().isPruned(1)).isFalse();
    }

    static float[] randomValues(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    static void assertMatches(float[] actual, double[] expected) {
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("entry %d", i).isCloseTo(expected[i], within(1e-5 + 1e-5 * Math.abs(expected[i])));
        }
    }
}
