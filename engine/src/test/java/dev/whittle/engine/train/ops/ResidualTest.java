package dev.whittle.engine.train.ops;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.whittle.engine.train.FiniteDifferences.assertForward;
import static dev.whittle.engine.train.FiniteDifferences.assertGradient;
import static dev.whittle.engine.train.FiniteDifferences.gradient;
import static dev.whittle.engine.train.FiniteDifferences.project;
import static dev.whittle.engine.train.FiniteDifferences.random;
import static dev.whittle.engine.train.FiniteDifferences.toDouble;

class ResidualTest {

    static double[] reference(double[] x, double[] branch) {
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[i] + branch[i];
        }
        return y;
    }

    @Test
    void bothInputsReceiveTheOutputGradient() {
        Random random = new Random(3);
        int n = 23;
        float[] x = random(random, n, 1);
        float[] branch = random(random, n, 1);
        float[] dOut = random(random, n, 1);
        double[] X = toDouble(x);
        double[] B = toDouble(branch);
        double[] R = toDouble(dOut);

        float[] stream = x.clone();
        Residual.forward(n, stream, 0, branch, 0);
        float[] dBranch = new float[n];
        Residual.backward(n, dOut, 0, dBranch, 0);

        assertForward("x + branch", stream, reference(X, B));
        assertGradient("dX", dOut, gradient(X, () -> project(R, reference(X, B))));
        assertGradient("dBranch", dBranch, gradient(B, () -> project(R, reference(X, B))));
    }
}
