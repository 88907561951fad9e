package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Attention;
import java.util.Locale;

/**
 * Causal attention throughput: prefill at T=512 and 2048 for head sizes 32, 64 and 128 (768 query dims, as the
 * prefill model; 64 also with four query heads per kv head), and a decode step after 2047 cached positions. Each
 * shape runs for a few seconds first: the kernels are large vector loops that the JIT compiles late, and a measure
 * taken before it has is the interpreter's.
 */
final class AttentionBench implements Benchmark {

    private static final int WIDTH = 768;
    private static final double WARM_UP_SECONDS = 3.0;

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
                measure(report, String.format(Locale.ROOT, "attention prefill T=%d d=%d", T, headDim), T, 0, heads,
                        heads, headDim);
            }
        }
        measure(report, "attention prefill T=512 d=64 gqa 12/3", 512, 0, 12, 3, 64);
        measure(report, "attention decode past=2047 d=64", 1, 2047, 12, 12, 64);
        measure(report, "attention decode past=2047 d=64 gqa 12/3", 1, 2047, 12, 3, 64);
    }

    private static void measure(Report report, String label, int T, int past, int heads, int kvHeads, int headDim) {
        int positions = past + T;
        float[] q = GemmBench.random(T * heads * headDim, 3);
        float[] k = GemmBench.random(positions * kvHeads * headDim, 4);
        float[] v = GemmBench.random(positions * kvHeads * headDim, 5);
        float[] out = new float[T * heads * headDim];
        Runnable call = () -> Attention.causal(T, past, heads, kvHeads, headDim, q, 0, k, 0, v, 0, out, 0, null);
        long warm = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        while (System.nanoTime() < warm) {
            call.run();
        }
        double seconds = Report.secondsPerCall(call, 1.0);
        // q.k and p.v over the causal triangle: 4 flops per (query, key, dim) per head
        double pairs = (double) T * past + (double) T * (T + 1) / 2;
        double flops = 4.0 * pairs * headDim * heads;
        report.gflops(label, flops / seconds / 1e9, String.format(Locale.ROOT, "(%.3f ms)", seconds * 1e3));
    }
}
