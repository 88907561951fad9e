package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./whittle bench [name...]}: measures this machine's FP32 FMA ceiling, then runs the named benchmarks
 * (all when none is named) and prints each rate with its ratio to that ceiling. Prints numbers, asserts nothing.
 */
public final class Main {

    /** Every benchmark, in the order {@code ./whittle bench} runs them. Add new ones here. */
    static final List<Benchmark> BENCHMARKS = List.of(new GemmBench(), new AttentionBench(), new PrefillBench(),
            new TrainStepBench(), new PruneBench());

    private Main() {
    }

    public static void main(String[] args) {
        List<Benchmark> chosen = new ArrayList<>();
        for (String name : args) {
            Benchmark found = BENCHMARKS.stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
            if (found == null) {
                System.err.println("unknown benchmark '" + name + "'; known:");
                BENCHMARKS.forEach(b -> System.err.printf("  %-10s %s%n", b.name(), b.description()));
                System.exit(2);
            }
            chosen.add(found);
        }
        if (chosen.isEmpty()) {
            chosen.addAll(BENCHMARKS);
        }
        double ceiling = FmaCeiling.measureGflops(1.0);
        Report report = new Report(System.out, ceiling);
        report.line(String.format(Locale.ROOT, "threads %d, vector %d floats", Parallel.threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()));
        report.gflops("fp32 FMA ceiling (all threads)", ceiling, "");
        for (Benchmark benchmark : chosen) {
            benchmark.run(report);
        }
    }
}
