package dev.whittle.engine.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.whittle.engine.testing.FiniteDifferences.assertForward;
import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static dev.whittle.engine.testing.FiniteDifferences.gradient;
import static dev.whittle.engine.testing.FiniteDifferences.project;
import static dev.whittle.engine.testing.FiniteDifferences.random;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;

class SwiGluTest {

    static double[] reference(double[] gate, double[] up) {
        double[] h = new double[gate.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        return h;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 64, 203})
    void gradientsOfGateAndUpMatchFiniteDifferences(int n) {
        Random random = new Random(n);
        float[] gate = random(random, n, 6);
        float[] up = random(random, n, 2);
        float[] dh = random(random, n, 1);
        float[] h = new float[n];
        SwiGlu.forward(n, gate, 0, up, 0, h, 0);
        float[] dGate = new float[n];
        float[] dUp = new float[n];
        SwiGlu.backward(n, gate, 0, up, 0, dh, 0, dGate, 0, dUp, 0);

        double[] G = toDouble(gate);
        double[] U = toDouble(up);
        double[] R = toDouble(dh);
        assertForward("h", h, reference(G, U));
        assertGradient("dGate", dGate, gradient(G, () -> project(R, reference(G, U))));
        assertGradient("dUp", dUp, gradient(U, () -> project(R, reference(G, U))));

        // The gradients may overwrite the forward's buffers.
        float[] gateBuffer = gate.clone();
        float[] upBuffer = up.clone();
        SwiGlu.backward(n, gateBuffer, 0, upBuffer, 0, dh, 0, gateBuffer, 0, upBuffer, 0);
        assertForward("dGate in place", gateBuffer, toDouble(dGate));
        assertForward("dUp in place", upBuffer, toDouble(dUp));
    }
}
