package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Attention;
import dev.whittle.engine.tensor.DecodeAttention;
import dev.whittle.engine.tensor.Parallel;
import java.util.Arrays;
import java.util.Locale;

/**
 * Causal attention throughput: prefill at T=512 and 2048 for head sizes 32, 64 and 128 (768 query dims, as the
 * prefill model; 64 also with four query heads per kv head), and a decode step after 2047 cached positions, whose
 * rate is the bytes of K and V it reads per second beside {@link StreamBandwidth}'s streaming read from memory:
 * warm (these caches, 3-17 MB, may sit in L3 between calls) and from memory (caches flushed before each call, as
 * in a model whose layers' caches together outgrow the L3).
 * <p>
 * The machine is shared, so each shape times the engine's kernel and {@link AttentionBaseline} (the kernel before
 * issue 15) alternately in this JVM and keeps the best of each; with one thread ({@code -Dwhittle.threads=1}) the
 * times are the thread's CPU time, as the run's ceiling is. Each shape runs for a few seconds first: the kernels
 * are large vector loops that the JIT compiles late.
 */
final class AttentionBench implements Benchmark {

    private static final int WIDTH = 768;
    private static final double WARM_UP_SECONDS = 3.0;
    private static final double MEASURE_SECONDS = 2.0;
    private static final int ROUNDS = 4;
    private static final int COLD_CALLS = 12;

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
        for (int headDim : new int[] {32, 64, 128}) {
            for (int T : new int[] {512, 2048}) {
                int heads = WIDTH / headDim;
                prefill(report, String.format(Locale.ROOT, "attention prefill T=%d d=%d", T, headDim), T, heads,
                        heads, headDim);
            }
        }
        prefill(report, "attention prefill T=512 d=64 gqa 12/3", 512, 12, 3, 64);
        prefill(report, "attention prefill T=2048 d=128 gqa 6/2", 2048, 6, 2, 128);
        double stream = StreamBandwidth.measureBytesPerSecond(1.0);
        report.line(String.format(Locale.ROOT, "%-40s %8.1f GB/s", "streaming read (memory)", stream / 1e9));
        decode(report, "attention decode past=2047 d=64", 2047, 12, 12, 64, stream);
        decode(report, "attention decode past=2047 d=64 gqa 12/3", 2047, 12, 3, 64, stream);
        decode(report, "attention decode past=2047 d=128 gqa 32/8", 2047, 32, 8, 128, stream);
    }

    private static void prefill(Report report, String label, int T, int heads, int kvHeads, int headDim) {
        double[] seconds = alternate(new Shape(T, 0, heads, kvHeads, headDim));
        // q.k and p.v over the causal triangle: 4 flops per (query, key, dim) per head
        double flops = 4.0 * ((double) T * (T + 1) / 2) * headDim * heads;
        double beside = seconds[2];
        report.gflops(label, flops / seconds[0] / 1e9, String.format(Locale.ROOT,
                "(%.3f ms; %.2f of the ceiling timed beside it, %.1f GFLOPS; before: %.2f of ceiling)",
                seconds[0] * 1e3, flops / seconds[0] / 1e9 / beside, beside,
                flops / seconds[1] / 1e9 / report.ceilingGflops()));
    }

    /**
     * Decode's rate is the bytes of K and V it reads per second, beside the streaming read measured first: the
     * engine's decode kernel over keys and values laid out as a {@code KvCache} holds them (blocks of positions per
     * kv head), then (before) {@link Attention}'s dot-product path over row-major keys and values (the decode kernel
     * until issue 15's DecodeAttention) and {@link AttentionBaseline}.
     */
    private static void decode(Report report, String label, int past, int heads, int kvHeads, int headDim,
                               double stream) {
        Shape shape = new Shape(1, past, heads, kvHeads, headDim);
        int headStride = (int) DecodeAttention.keyFloats(past + 1, headDim);
        float[] kt = new float[kvHeads * headStride];
        DecodeAttention.packKeys(0, past + 1, kvHeads, headDim, shape.k, 0, kt, headStride);
        float[] vt = new float[kvHeads * (int) DecodeAttention.valueFloats(past + 1, headDim)];
        DecodeAttention.packValues(0, past + 1, kvHeads, headDim, shape.v, 0, vt, past + 1);
        Runnable now = () -> DecodeAttention.decode(1, past, heads, kvHeads, headDim, shape.q, 0, kt, headStride,
                vt, past + 1, shape.out, 0, null);
        Runnable dot = () -> Attention.causal(1, past, heads, kvHeads, headDim, shape.q, 0, shape.k, 0, shape.v, 0,
                shape.out, 0, null);
        Runnable baseline = () -> AttentionBaseline.causal(1, past, heads, kvHeads, headDim, shape.q, 0, shape.k, 0,
                shape.v, 0, shape.out, 0, null);
        double bytes = 2.0 * (past + 1) * kvHeads * headDim * Float.BYTES;
        double[] seconds = alternate(now, dot, baseline);
        double cold = fromMemory(now);
        report.line(String.format(Locale.ROOT, "%-40s %8.1f GB/s    %5.2f of stream read  (%.1f MB in %.1f us;"
                        + " from memory, caches flushed first: %.1f GB/s, %.2f; before: dot path %.2f, baseline %.2f)",
                label, bytes / seconds[0] / 1e9, bytes / seconds[0] / stream, bytes / 1e6, seconds[0] * 1e6,
                bytes / cold / 1e9, bytes / cold / stream, bytes / seconds[1] / stream, bytes / seconds[2] / stream));
    }

    /**
     * Best seconds of a call whose data starts in memory, not in cache, as in a decode step of a model whose
     * layers' caches together outgrow the L3: a read of a buffer twice the L3 before each call, untimed.
     */
    private static double fromMemory(Runnable kernel) {
        java.util.function.LongSupplier clock = Report.clock(Parallel.threads() == 1);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < COLD_CALLS; i++) {
            StreamBandwidth.evictCaches();
            long t0 = clock.getAsLong();
            kernel.run();
            best = Math.min(best, (clock.getAsLong() - t0) / 1e9);
        }
        return best;
    }

    /** Best seconds per call of each kernel, timed in turns. */
    private static double[] alternate(Runnable... kernels) {
        long warm = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        while (System.nanoTime() < warm) {
            for (Runnable kernel : kernels) {
                kernel.run();
            }
        }
        boolean cpu = Parallel.threads() == 1;
        double[] best = new double[kernels.length];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < kernels.length; i++) {
                best[i] = Math.min(best[i], Report.secondsPerCall(kernels[i], MEASURE_SECONDS / ROUNDS, cpu));
            }
        }
        return best;
    }

    /**
     * Best seconds per call of the engine's kernel and of the baseline, timed in turns, and the best FMA ceiling
     * (GFLOPS) timed in the same turns: this VM's ceiling swings by a quarter between minutes (its cores are
     * shared), so a ratio to the run's opening ceiling alone says as much about the neighbours as about the kernel.
     */
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
        boolean cpu = Parallel.threads() == 1;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, 0};
        for (int round = 0; round < ROUNDS; round++) {
            best[0] = Math.min(best[0], Report.secondsPerCall(now, MEASURE_SECONDS / ROUNDS, cpu));
            best[2] = Math.max(best[2], FmaCeiling.measureGflops(MEASURE_SECONDS / ROUNDS / 2));
            best[1] = Math.min(best[1], Report.secondsPerCall(before, MEASURE_SECONDS / ROUNDS, cpu));
        }
        return best;
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
