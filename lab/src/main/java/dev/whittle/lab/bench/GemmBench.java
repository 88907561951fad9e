package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Gemm;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM throughput: square sizes, the transformer shape {@code [512x1024]x[1024x2816]} as the linear layer
 * computes it ({@code x W^T}) and in the other three transposes training uses, and one decode step (one row).
 */
final class GemmBench implements Benchmark {

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public String description() {
        return "fp32 GEMM at 512^3, 1024^3, 2048^3, [512x1024]x[1024x2816] in all four transposes, and one row";
    }

    @Override
    public void run(Report report) {
        for (int size : new int[] {512, 1024, 2048}) {
            measure(report, "gemm " + size + "^3", false, false, size, size, size);
        }
        measure(report, "gemm [512x1024]x[1024x2816] x W^T", false, true, 512, 2816, 1024);
        measure(report, "gemm [512x1024]x[1024x2816] NN", false, false, 512, 2816, 1024);
        measure(report, "gemm [512x1024]x[1024x2816] A^T B", true, false, 512, 2816, 1024);
        measure(report, "gemm [512x1024]x[1024x2816] A^T B^T", true, true, 512, 2816, 1024);
        measure(report, "gemm [1x1024]x[1024x2816] x W^T (decode)", false, true, 1, 2816, 1024);
    }

    private static void measure(Report report, String label, boolean transA, boolean transB, int m, int n, int k) {
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        double seconds = Report.secondsPerCall(
                () -> Gemm.gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false), 0.5);
        String detail = String.format(Locale.ROOT, "(%.3f ms)", seconds * 1e3);
        if (m == 1) { // a decode step streams B: its bandwidth says more than its flops
            detail += String.format(Locale.ROOT, " %.1f GB/s of B", 4.0 * k * n / seconds / 1e9);
        }
        report.gflops(label, 2.0 * m * n * k / seconds / 1e9, detail);
    }

    static float[] random(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
