package dev.whittle.lab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./whittle bench} arguments: benchmark names, and {@code --name value} (or {@code --name=value}) options
 * that bound a benchmark's run, e.g. {@code distill --shape ref --steps 2}. An option may be given once.
 */
public final class BenchArguments {

    /** No options: every benchmark's defaults. */
    static final BenchArguments NONE = new BenchArguments(List.of(), Map.of());

    private final List<String> names;
    private final Map<String, String> options;

    private BenchArguments(List<String> names, Map<String, String> options) {
        this.names = List.copyOf(names);
        this.options = Map.copyOf(options);
    }

    static BenchArguments parse(List<String> args) {
        List<String> names = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                names.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            if (name.isEmpty() || options.put(name, value) != null) {
                throw new IllegalArgumentException(name.isEmpty() ? "an option needs a name: '" + arg + "'"
                        : "option --" + name + " is given twice");
            }
        }
        return new BenchArguments(names, options);
    }

    /** The benchmarks named, in order (none: run them all). */
    List<String> names() {
        return names;
    }

    /** Fails naming the first option that is not in {@code known} (what the chosen benchmarks read). */
    void expectOnly(Set<String> known) {
        for (String name : options.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name
                        + (known.isEmpty() ? " (the chosen benchmarks take none)" : " (known: --"
                        + String.join(", --", known.stream().sorted().toList()) + ")"));
            }
        }
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** A whole number of at least {@code min}. */
    int intOption(String name, int fallback, int min) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a whole number >= " + min + ", got '" + value + "'");
    }
}
