package dev.whittle.engine.merge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MergeMathTest {

    @Test
    void linearIsTheWeightedMean() {
        float[] merged = MergeMath.linear(List.of(new float[]{1, 2, -4}, new float[]{3, 0, 8}), List.of(1.0, 3.0));
        assertThat(merged).containsExactly(new float[]{(1 + 9) / 4f, 2 / 4f, (-4 + 24) / 4f}, within(1e-6f));
    }

    @ParameterizedTest(name = "t={0}")
    @ValueSource(doubles = {0, 0.25, 1 / 3.0, 0.5, 0.9, 1})
    void slerpOfOrthogonalVectorsWalksTheArcBetweenThem(double t) {
        // |a| = |b| = 2 at a right angle: the point at fraction t of the arc is 2 (cos(t pi/2), sin(t pi/2)).
        float[] merged = MergeMath.slerp(new float[]{2, 0, 0}, new float[]{0, 2, 0}, t);
        assertThat(merged).containsExactly(new float[]{(float) (2 * Math.cos(t * Math.PI / 2)),
                (float) (2 * Math.sin(t * Math.PI / 2)), 0}, within(1e-6f));
    }

    @Test
    void slerpAtAnObtuseAngleFollowsTheSineFormula() {
        float[] a = {1, 0};
        float[] b = {-0.5f, (float) Math.sqrt(0.75)}; // 120 degrees
        double theta = 2 * Math.PI / 3;
        double t = 0.25;
        float[] merged = MergeMath.slerp(a, b, t);
        // The unit vector at 30 degrees.
        assertThat(merged).containsExactly(new float[]{(float) Math.cos(t * theta), (float) Math.sin(t * theta)},
                within(1e-6f));
    }

    @Test
    void nearlyParallelTensorsFallBackToLinearInterpolation() {
        float[] a = {1, 2, 3};
        float[] b = {2, 4, 6.001f};
        float[] merged = MergeMath.slerp(a, b, 0.3);
        assertThat(merged).containsExactly(new float[]{0.7f * 1 + 0.3f * 2, 0.7f * 2 + 0.3f * 4, 0.7f * 3 + 0.3f * 6.001f},
                within(1e-6f));
    }

    @Test
    void tiesTrimsByMagnitudeElectsTheSignAndAveragesTheAgreeingEntries() {
        float[] base = {1, 1, 1, 1};
        // Task vectors (3, -1, 0.5, 2) and (-1, -2, 1, 4); density 0.5 keeps two entries of each:
        // (3, 0, 0, 2) and (0, -2, 0, 4). Signs by mass: +, -, none, +. Mean of agreeing kept entries: 3, -2, 0, 3.
        float[] m1 = {4, 0, 1.5f, 3};
        float[] m2 = {0, -1, 2, 5};
        float[] merged = MergeMath.ties(base, List.of(m1, m2), List.of(1.0, 1.0), 0.5);
        assertThat(merged).containsExactly(new float[]{1 + 3, 1 - 2, 1, 1 + 3}, within(1e-6f));
    }

    @Test
    void tiesDropsTheEntriesOutvotedByTheWeightedMass() {
        float[] base = {0, 0};
        // Entry 0: +3 (weight 1) against -1 (weight 2): mass +1, so only +3 counts, divided by its weight 1.
        // Entry 1: +1 (weight 1) against -1 (weight 2): mass -1, so the merged entry is -1 * 2 / 2.
        float[] merged = MergeMath.ties(base, List.of(new float[]{3, 1}, new float[]{-1, -1}), List.of(1.0, 2.0), 1);
        assertThat(merged).containsExactly(new float[]{3, -1}, within(1e-6f));
    }
}
