package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's streaming-read bandwidth: every thread of {@link Parallel} sums its share of an array four times
 * the size of a large L3 (128 MiB) with independent vector accumulators, so memory, not the adds, sets the pace. The
 * ceiling a memory-bound kernel (a one-row decode product reading each weight once) is measured against.
 */
final class StreamBandwidth {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int FLOATS = 32 << 20;

    private StreamBandwidth() {
    }

    /** Bytes read per second over all threads, best of a few passes (thread CPU time with one thread). */
    static double measureBytesPerSecond(double budgetSeconds) {
        float[] data = GemmBench.random(FLOATS, 5);
        int threads = Parallel.threads();
        float[] sink = new float[threads];
        int share = FLOATS / threads / S.length() * S.length();
        double seconds = Report.secondsPerCall(() -> Parallel.forChunks(threads, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                sink[t] = sum(data, t * share, (t + 1) * share);
            }
        }), budgetSeconds, threads == 1);
        return 4.0 * share * threads / seconds;
    }

    private static float[] evict;
    private static float evicted;

    /** Reads 64 MiB (twice a large L3), so that what a kernel reads next comes from memory. */
    static void evictCaches() {
        if (evict == null) {
            evict = GemmBench.random(16 << 20, 7);
        }
        evicted += sum(evict, 0, evict.length);
    }

    private static float sum(float[] x, int from, int to) {
        int l = S.length();
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (int i = from; i < to; i += 4 * l) {
            s0 = s0.add(FloatVector.fromArray(S, x, i));
            s1 = s1.add(FloatVector.fromArray(S, x, i + l));
            s2 = s2.add(FloatVector.fromArray(S, x, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(S, x, i + 3 * l));
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }
}
