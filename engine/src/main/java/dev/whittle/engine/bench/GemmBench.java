package dev.whittle.engine.bench;

import dev.whittle.engine.tensor.Gemm;
import java.util.SplittableRandom;

/** GEMM throughput at square sizes and at a transformer MLP shape (the linear-layer {@code x W^T} case). */
final class GemmBench implements Benchmark {

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public String description() {
        return "fp32 GEMM GFLOPS at 512^3, 1024^3, 2048^3 and [512x1024]x[1024x2816] (x W^T)";
    }

    @Override
    public void run(Report report) {
        for (int size : new int[] {512, 1024, 2048}) {
            measure(report, "gemm " + size + "^3", false, false, size, size, size);
        }
        measure(report, "gemm [512x1024]x[1024x2816] x W^T", false, true, 512, 2816, 1024);
    }

    private static void measure(Report report, String label, boolean transA, boolean transB, int m, int n, int k) {
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        double seconds = Report.secondsPerCall(
                () -> Gemm.gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false), 1.0);
        report.gflops(label, 2.0 * m * n * k / seconds / 1e9, String.format("(%.2f ms)", seconds * 1e3));
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
