package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Attention;
import dev.whittle.engine.tensor.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention throughput: prefill at T=512 and 2048 for head sizes 32, 64 and 128 (768 query dims, as the
 * prefill model; 64 also with four query heads per kv head), and a decode step after 2047 cached positions, whose
 * rate is the bytes of K and V it reads per second beside a streaming read of as many bytes measured just before.
 * <p>
 * The machine is shared, so each shape times the engine's kernel and {@link AttentionBaseline} (the kernel before
 * issue 15) alternately in this JVM and keeps the best of each; with one thread ({@code -Dwhittle.threads=1}) the
 * times are the thread's CPU time, which a neighbour's burst does not inflate. Each shape runs for a few seconds
 * first: the kernels are large vector loops that the JIT compiles late.
 */
final class AttentionBench implements Benchmark {

    private static final int WIDTH = 768;
    private static final double WARM_UP_SECONDS = 3.0;
    private static final double MEASURE_SECONDS = 2.0;
    private static final int ROUNDS = 8;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** A constant, as the Vector API needs to compile vector code. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public String description() {
        return "causal attention: prefill T=512/2048, head sizes 32/64/128, GQA; decode after 2047 cached positions";
    }

    @Override
    public void run(Report report) {
        if (cpuTime()) {
            // The run's ceiling is wall time; these rates are CPU time, so they need a ceiling on the same clock.
            double ceiling = FmaCeiling.LOOP_FLOPS / best(FmaCeiling::loopOnce, 1.0) / 1e9;
            report = new Report(System.out, ceiling);
            report.gflops("fp32 FMA ceiling (this thread's CPU time)", ceiling, "");
        }
        for (int headDim : new int[] {32, 64, 128}) {
            for (int T : new int[] {512, 2048}) {
                int heads = WIDTH / headDim;
                prefill(report, String.format(Locale.ROOT, "attention prefill T=%d d=%d", T, headDim), T, heads,
                        heads, headDim);
            }
        }
        prefill(report, "attention prefill T=512 d=64 gqa 12/3", 512, 12, 3, 64);
        prefill(report, "attention prefill T=2048 d=128 gqa 6/2", 2048, 6, 2, 128);
        decode(report, "attention decode past=2047 d=64", 2047, 12, 12, 64);
        decode(report, "attention decode past=2047 d=64 gqa 12/3", 2047, 12, 3, 64);
        decode(report, "attention decode past=2047 d=128 gqa 32/8", 2047, 32, 8, 128);
    }

    private static void prefill(Report report, String label, int T, int heads, int kvHeads, int headDim) {
        double[] seconds = alternate(new Shape(T, 0, heads, kvHeads, headDim));
        // q.k and p.v over the causal triangle: 4 flops per (query, key, dim) per head
        double flops = 4.0 * ((double) T * (T + 1) / 2) * headDim * heads;
        report.gflops(label, flops / seconds[0] / 1e9, String.format(Locale.ROOT,
                "(%.3f ms; before: %.2f of ceiling)", seconds[0] * 1e3,
                flops / seconds[1] / 1e9 / report.ceilingGflops()));
    }

    private static void decode(Report report, String label, int past, int heads, int kvHeads, int headDim) {
        Shape shape = new Shape(1, past, heads, kvHeads, headDim);
        double bytes = 2.0 * (past + 1) * kvHeads * headDim * Float.BYTES;
        double stream = bytes / best(streamRead(shape.k.length + shape.v.length), MEASURE_SECONDS);
        double[] seconds = alternate(shape);
        report.line(String.format(Locale.ROOT, "%-40s %8.1f GB/s    %5.2f of stream read (%.1f GB/s over %.1f MB)"
                        + "  (%.1f us; before: %.2f)", label, bytes / seconds[0] / 1e9, bytes / seconds[0] / stream,
                stream / 1e9, bytes / 1e6, seconds[0] * 1e6, bytes / seconds[1] / stream));
    }

    /** Best seconds per call of the engine's kernel and of the baseline, timed in turns. */
    private static double[] alternate(Shape shape) {
        Runnable now = () -> Attention.causal(shape.T, shape.past, shape.heads, shape.kvHeads, shape.headDim,
                shape.q, 0, shape.k, 0, shape.v, 0, shape.out, 0, null);
        Runnable before = () -> AttentionBaseline.causal(shape.T, shape.past, shape.heads, shape.kvHeads,
                shape.headDim, shape.q, 0, shape.k, 0, shape.v, 0, shape.out, 0, null);
        long warm = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        while (System.nanoTime() < warm) {
            now.run();
            before.run();
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < ROUNDS; round++) {
            best[0] = Math.min(best[0], best(now, MEASURE_SECONDS / ROUNDS));
            best[1] = Math.min(best[1], best(before, MEASURE_SECONDS / ROUNDS));
        }
        return best;
    }

    /** Best seconds per call over about {@code budget} seconds: the thread's CPU time when it works alone. */
    private static double best(Runnable work, double budget) {
        boolean cpu = cpuTime();
        long end = System.nanoTime() + (long) (budget * 1e9);
        double best = Double.MAX_VALUE;
        for (int runs = 0; runs < 3 || System.nanoTime() < end; runs++) {
            long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            work.run();
            long t1 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            best = Math.min(best, (t1 - t0) / 1e9);
        }
        return best;
    }

    private static boolean cpuTime() {
        return Parallel.threads() == 1 && THREADS.isCurrentThreadCpuTimeSupported();
    }

    /** A sum over {@code floats} floats split over the threads, as the kernels are: the reads they could hope for. */
    private static Runnable streamRead(int floats) {
        float[] data = GemmBench.random(floats, 6);
        float[] sink = new float[Parallel.threads() * 16];
        int chunk = Math.max(S.length() * 4, (floats / Parallel.threads() + S.length() * 4 - 1)
                / (S.length() * 4) * (S.length() * 4));
        return () -> Parallel.forChunks((floats + chunk - 1) / chunk, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                FloatVector a = FloatVector.zero(S), b = a, x = a, y = a;
                int i = c * chunk;
                for (int end = Math.min(floats, i + chunk) - 4 * S.length(); i <= end; i += 4 * S.length()) {
                    a = a.add(FloatVector.fromArray(S, data, i));
                    b = b.add(FloatVector.fromArray(S, data, i + S.length()));
                    x = x.add(FloatVector.fromArray(S, data, i + 2 * S.length()));
                    y = y.add(FloatVector.fromArray(S, data, i + 3 * S.length()));
                }
                sink[(c % Parallel.threads()) * 16] += a.add(b).add(x.add(y)).lane(0);
            }
        });
    }

    private static final class Shape {
        final int T, past, heads, kvHeads, headDim;
        final float[] q, k, v, out;

        Shape(int T, int past, int heads, int kvHeads, int headDim) {
            this.T = T;
            this.past = past;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            int positions = past + T;
            q = GemmBench.random(T * heads * headDim, 3);
            k = GemmBench.random(positions * kvHeads * headDim, 4);
            v = GemmBench.random(positions * kvHeads * headDim, 5);
            out = new float[T * heads * headDim];
        }
    }
}
