package dev.whittle.lab.bench;

import java.util.Set;

/**
 * One named benchmark of {@code ./whittle bench [name...]}. It prints numbers through the {@link Report} (each
 * achieved rate beside its ratio to the machine's FMA ceiling, measured in the same run) and asserts nothing.
 * New benchmarks are added to {@link Main#BENCHMARKS}.
 */
public interface Benchmark {

    /** The name on the command line, e.g. {@code gemm} or {@code prefill}. */
    String name();

    /** One line for the usage text. */
    String description();

    void run(Report report);

    /** The {@code --name value} options it reads; none by default. */
    default Set<String> options() {
        return Set.of();
    }

    /** Runs bounded by the command line's options (only those {@link #options} names are ever given). */
    default void run(Report report, BenchArguments arguments) {
        run(report);
    }
}
