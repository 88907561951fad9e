package dev.whittle.engine.train.optim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GradientClippingTest {

    private static ParameterSet withGradients(float[] a, float[] b) {
        Parameter p = Parameter.trainable("a", new int[]{a.length}, new float[a.length]);
        Parameter q = Parameter.trainable("b", new int[]{b.length}, new float[b.length]);
        Parameter frozen = Parameter.frozen("c", new int[]{1}, new float[1]);
        System.arraycopy(a, 0, p.grad(), 0, a.length);
        System.arraycopy(b, 0, q.grad(), 0, b.length);
        return new ParameterSet(List.of(p, frozen, q));
    }

    @Test
    void theNormIsTakenOverAllGradientsTogetherAndScaledDownToTheBound() {
        ParameterSet set = withGradients(new float[]{3f, 0f}, new float[]{0f, 4f, 0f}); // joint norm 5
        double before = GradientClipping.clip(set, 1.0);
        assertThat(before).isCloseTo(5.0, within(1e-9));
        assertThat(GradientClipping.globalNorm(set)).isCloseTo(1.0, within(1e-5));
        assertThat(set.get("a").grad()[0]).isCloseTo(0.6f, within(1e-5f));
        assertThat(set.get("b").grad()[1]).isCloseTo(0.8f, within(1e-5f));
    }

    @Test
    void gradientsInsideTheBoundAreLeftExactlyAsTheyAre() {
        ParameterSet set = withGradients(new float[]{0.3f}, new float[]{0.4f});
        GradientClipping.clip(set, 1.0);
        assertThat(set.get("a").grad()).containsExactly(0.3f);
        assertThat(set.get("b").grad()).containsExactly(0.4f);
    }

    @Test
    void aNonFiniteGradientIsRefusedNamingItsParameter() {
        ParameterSet set = withGradients(new float[]{1f}, new float[]{Float.NaN});
        assertThatThrownBy(() -> GradientClipping.clip(set, 1.0)).hasMessageContaining("gradient of b");
    }
}
