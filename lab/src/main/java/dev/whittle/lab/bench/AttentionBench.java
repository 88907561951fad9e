package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Attention;
import java.util.Locale;

/** Causal attention throughput at the prefill model's shape (12 heads of 64, no grouping): 512-token prefill, decode step. */
final class AttentionBench implements Benchmark {

    private static final int HEADS = 12;
    private static final int KV_HEADS = 12;
    private static final int HEAD_DIM = 64;

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public String description() {
        return "causal attention (12 heads of 64, as the prefill model): 512-token prefill, decode after 2047";
    }

    @Override
    public void run(Report report) {
        measure(report, "attention prefill T=512", 512, 0);
        measure(report, "attention decode past=2047", 1, 2047);
    }

    private static void measure(Report report, String label, int T, int past) {
        int positions = past + T;
        float[] q = GemmBench.random(T * HEADS * HEAD_DIM, 3);
        float[] k = GemmBench.random(positions * KV_HEADS * HEAD_DIM, 4);
        float[] v = GemmBench.random(positions * KV_HEADS * HEAD_DIM, 5);
        float[] out = new float[T * HEADS * HEAD_DIM];
        double seconds = Report.secondsPerCall(() -> Attention.causal(T, past, HEADS, KV_HEADS, HEAD_DIM,
                q, 0, k, 0, v, 0, out, 0, null), 0.5);
        // q.k and p.v over the causal triangle: 4 flops per (query, key, dim) per head
        double pairs = (double) T * past + (double) T * (T + 1) / 2;
        double flops = 4.0 * pairs * HEAD_DIM * HEADS;
        report.gflops(label, flops / seconds / 1e9, String.format(Locale.ROOT, "(%.3f ms)", seconds * 1e3));
    }
}
