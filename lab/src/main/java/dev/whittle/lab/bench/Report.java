package dev.whittle.lab.bench;

import java.io.PrintStream;
import java.util.Locale;

/** Where benchmarks print, with the FP32 FMA ceiling of this run to compare against. */
public final class Report {

    private final PrintStream out;
    private final double ceilingGflops;

    public Report(PrintStream out, double ceilingGflops) {
        this.out = out;
        this.ceilingGflops = ceilingGflops;
    }

    /** This machine's FP32 FMA ceiling in GFLOPS, all cores, measured at the start of the run. */
    public double ceilingGflops() {
        return ceilingGflops;
    }

    /** Prints a rate with its ratio to the ceiling, e.g. {@code gemm 1024^3   372.1 GFLOPS   0.81 of ceiling}. */
    public void gflops(String label, double gflops, String detail) {
        line(String.format(Locale.ROOT, "%-40s %8.1f GFLOPS  %5.2f of ceiling%s", label, gflops,
                gflops / ceilingGflops, detail == null || detail.isEmpty() ? "" : "  " + detail));
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /**
     * Seconds per call of {@code work}: warmed up, then the best of repeated timings so a neighbour's burst on the
     * shared machine costs less; stops after about {@code budgetSeconds}.
     */
    public static double secondsPerCall(Runnable work, double budgetSeconds) {
        return secondsPerCall(work, budgetSeconds, false);
    }

    /**
     * As {@link #secondsPerCall(Runnable, double)}, timed in the calling thread's CPU time when {@code cpuTime}: on a
     * machine shared with other processes the time this thread was descheduled then no longer counts. Only for work
     * that runs on the calling thread alone ({@code -Dwhittle.threads=1}).
     */
    public static double secondsPerCall(Runnable work, double budgetSeconds, boolean cpuTime) {
        java.util.function.LongSupplier clock = clock(cpuTime);
        long start = System.nanoTime();
        long budget = (long) (budgetSeconds * 1e9);
        for (int i = 0; i < 2; i++) {
            work.run();
        }
        double best = Double.MAX_VALUE;
        int runs = 0;
        while (runs < 3 || System.nanoTime() - start < budget) {
            long t0 = clock.getAsLong();
            work.run();
            best = Math.min(best, (clock.getAsLong() - t0) / 1e9);
            runs++;
        }
        return best;
    }

    /** Nanoseconds: the calling thread's CPU time when {@code cpuTime} (see {@link #secondsPerCall(Runnable, double, boolean)}), else wall time. */
    static java.util.function.LongSupplier clock(boolean cpuTime) {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return cpuTime ? threads::getCurrentThreadCpuTime : System::nanoTime;
    }
}
