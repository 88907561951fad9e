package dev.whittle.lab.bench;

import dev.whittle.engine.tensor.Parallel;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code ./whittle bench [name...] [--option value...]}: measures this machine's FP32 FMA ceiling, then runs the
 * named benchmarks (all when none is named; options bound the runs of those that read them, e.g.
 * {@code distill --steps 2}) and prints each rate with its ratio to that ceiling. Prints numbers, asserts nothing.
 */
public final class Main {

    /** Every benchmark, in the order {@code ./whittle bench} runs them. Add new ones here. */
    static final List<Benchmark> BENCHMARKS = List.of(new GemmBench(), new AttentionBench(), new PrefillBench(),
            new DecodeBench(), new EvalBench(), new TrainStepBench(), new PruneBench(), new WidthBench(),
            new DistillBench(), new ApiBench());

    private Main() {
    }

    public static void main(String[] args) {
        BenchArguments arguments;
        List<Benchmark> chosen = new ArrayList<>();
        try {
            arguments = BenchArguments.parse(List.of(args));
            for (String name : arguments.names()) {
                chosen.add(BENCHMARKS.stream().filter(b -> b.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown benchmark '" + name + "'")));
            }
            if (chosen.isEmpty()) {
                chosen.addAll(BENCHMARKS);
            }
            Set<String> known = new TreeSet<>();
            chosen.forEach(b -> known.addAll(b.options()));
            arguments.expectOnly(known);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; known benchmarks:");
            BENCHMARKS.forEach(b -> System.err.printf("  %-10s %s%s%n", b.name(), b.description(),
                    b.options().isEmpty() ? "" : " [--" + String.join(" --", new TreeSet<>(b.options())) + "]"));
            System.exit(2);
            return;
        }
        double ceiling = FmaCeiling.measureGflops(1.0);
        Report report = new Report(System.out, ceiling);
        // The ceiling and every rate drop when other processes share the cores: say how busy the machine was.
        report.line(String.format(Locale.ROOT, "threads %d, vector %d floats, load average %.1f on %d cores",
                Parallel.threads(), jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors()));
        report.gflops("fp32 FMA ceiling (all threads)", ceiling, "");
        for (Benchmark benchmark : chosen) {
            benchmark.run(report, arguments);
        }
    }
}
