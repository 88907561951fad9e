package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Parallel;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM throughput: square sizes, the transformer shape {@code [512x1024]x[1024x2816]} as the linear layer
 * computes it ({@code x W^T}) and in the other three transposes training uses, and batched decode steps: 1 to 32
 * rows times a {@code [2816 x 1024]} weight. One row is memory bound, so it is shown against the streaming-read
 * bandwidth measured in the same run; more rows reuse each weight read, so they are shown against the FMA ceiling.
 * Each decode line alternates the engine's kernel with the kernel it replaced ({@link FewRowBaseline}) in the same
 * run, best of several rounds each, and prints their ratio. With {@code -Dwhittle.threads=1} they are timed in thread
 * CPU time, which a busy shared machine disturbs less than wall time (the ceiling is then one thread's too).
 */
final class GemmBench implements Benchmark {

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public String description() {
        return "fp32 GEMM at 512^3, 1024^3, 2048^3, [512x1024]x[1024x2816] in all four transposes, and decode steps of 1-32 rows";
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
        double bandwidth = StreamBandwidth.measureBytesPerSecond(1.0);
        report.line(String.format(Locale.ROOT, "streaming read (all threads)  %.1f GB/s", bandwidth / 1e9));
        for (int rows : new int[] {1, 2, 4, 8, 16, 32}) {
            decode(report, rows, 2816, 1024, bandwidth);
        }
    }

    /**
     * {@code [rows x k] x W^T} with W {@code [n x k]}: the engine's kernel and the baseline, alternated. Successive
     * calls take the next of enough weight matrices to fill four times a large L3 (128 MiB), so W comes from memory
     * as a model's layers do while decoding, not from the cache the previous call left it in.
     */
    private static void decode(Report report, int rows, int n, int k, double bandwidth) {
        float[] a = random(rows * k, 1);
        float[][] weights = new float[(int) Math.ceil((32 << 20) / ((double) n * k))][];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = random(n * k, 2 + i);
        }
        float[] c = new float[rows * n];
        int[] next = {0};
        Runnable engine = () -> {
            float[] w = weights[next[0]++ % weights.length];
            Gemm.gemm(false, true, rows, n, k, a, 0, k, w, 0, k, c, 0, n, false);
        };
        Runnable baseline = () -> FewRowBaseline.multiply(rows, n, k, a, weights[next[0]++ % weights.length], c);
        boolean cpuTime = Parallel.threads() == 1;
        double now = Double.MAX_VALUE, before = Double.MAX_VALUE;
        for (int round = 0; round < 10; round++) { // short turns: a neighbour's burst hits both alike
            now = Math.min(now, Report.secondsPerCall(engine, 0.05, cpuTime));
            before = Math.min(before, Report.secondsPerCall(baseline, 0.05, cpuTime));
        }
        double bytes = 4.0 * ((double) n * k + rows * k + (double) rows * n);
        String detail = String.format(Locale.ROOT, "(%.3f ms) %.1f GB/s = %.2f of streaming read; before %.1f GFLOPS,"
                        + " %.2fx", now * 1e3, bytes / now / 1e9, bytes / now / bandwidth,
                2.0 * rows * n * k / before / 1e9, before / now);
        report.gflops(String.format(Locale.ROOT, "gemm [%dx%d]x[%dx%d] x W^T (decode)", rows, k, k, n),
                2.0 * rows * n * k / now / 1e9, detail);
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
