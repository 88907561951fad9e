package dev.whittle.engine.tensor;

import java.util.SplittableRandom;

/** Seeded random fp32 data for the kernel tests. */
final class Random32 {

    private final SplittableRandom random;

    Random32(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Uniform in [-1, 1). */
    float[] floats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    int nextInt(int origin, int bound) {
        return random.nextInt(origin, bound);
    }
}
