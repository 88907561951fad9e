package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FP32 FMA ceiling: every thread of {@link Parallel} runs a tight loop of fused multiply-adds on
 * independent vector accumulators (enough to hide the FMA latency), with no memory traffic.
 */
public final class FmaCeiling {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ACCUMULATORS = 12;
    private static final int ITERATIONS = 2_000_000;

    private FmaCeiling() {
    }

    /**
     * GFLOPS over all threads (an FMA counts as two flops), best of a few short runs; in thread CPU time when there is
     * one thread ({@code -Dwhittle.threads=1}), as the benchmarks then time themselves.
     */
    public static double measureGflops(double budgetSeconds) {
        int threads = Parallel.threads();
        float[] sink = new float[threads];
        double seconds = Report.secondsPerCall(() -> Parallel.forChunks(threads, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                sink[t] = loop(ITERATIONS, 1f + t * 1e-7f);
            }
        }), budgetSeconds, threads == 1);
        double flops = 2.0 * S.length() * ACCUMULATORS * (double) ITERATIONS * threads;
        return flops / seconds / 1e9;
    }

    private static float loop(int iterations, float seed) {
        FloatVector x = FloatVector.broadcast(S, 0.999999f);
        FloatVector y = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
