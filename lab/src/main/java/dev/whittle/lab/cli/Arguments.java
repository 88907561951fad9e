package dev.whittle.lab.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command's arguments: positional values and {@code --name value} options (an option may repeat). */
final class Arguments {

    private final String command;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();

    /** Parses {@code args}, accepting only the options in {@code known}. */
    Arguments(String command, List<String> args, Set<String> known) {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--") && arg.length() > 2) {
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!known.contains(name)) {
                    throw new UsageException(command + ": unknown option --" + name
                            + (known.isEmpty() ? "" : " (known: --" + String.join(", --", known) + ")"));
                }
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": option --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                positional.add(arg);
            }
        }
    }

    /** The {@code index}-th positional value, named {@code what} in the error when it is missing. */
    String positional(int index, String what) {
        if (index >= positional.size()) {
            throw new UsageException(command + ": missing " + what);
        }
        return positional.get(index);
    }

    void expectPositionals(int count) {
        if (positional.size() > count) {
            throw new UsageException(command + ": unexpected argument '" + positional.get(count) + "'");
        }
    }

    String option(String name, String fallback) {
        List<String> values = options.get(name);
        return values == null ? fallback : values.getLast();
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    int intOption(String name, int fallback) {
        String value = option(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + value + "'");
        }
    }

    long longOption(String name, long fallback) {
        String value = option(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + value + "'");
        }
    }

    float floatOption(String name, float fallback) {
        String value = option(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + value + "'");
        }
    }

    double doubleOption(String name, double fallback) {
        String value = option(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + value + "'");
        }
    }

    /** A mistake in how the command was called: printed with the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
