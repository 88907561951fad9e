package dev.whittle.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of another process on this machine, read from Linux's {@code /proc}: a JVM's threads split into the JIT
 * compilers, the garbage collector and the rest (the work itself), or a process with its children (PostgreSQL's
 * postmaster and its backends). On a shared machine CPU time per request is steadier than a rate, and a short
 * benchmark's JIT compilation would otherwise be charged to its requests.
 */
final class ProcessCpu {

    /** Clock ticks per second of {@code /proc}'s times: 100 on every Linux kernel configuration in use. */
    private static final double TICK_NANOS = 1e9 / 100;

    private ProcessCpu() {
    }

    /** CPU nanoseconds of a JVM's threads by kind; all zero when {@code pid} cannot be read. */
    record Jvm(double work, double jit, double gc) {
        Jvm minus(Jvm before) {
            return new Jvm(work - before.work, jit - before.jit, gc - before.gc);
        }
    }

    static Jvm jvm(long pid) {
        double work = 0, jit = 0, gc = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String[] stat = fields(task.resolve("stat"));
                if (stat == null) {
                    continue; // the thread ended meanwhile
                }
                double nanos = ticks(stat, 11) + ticks(stat, 12);
                String name = Files.readString(task.resolve("comm")).strip();
                if (name.contains("CompilerThre")) {
                    jit += nanos;
                } else if (name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
                    gc += nanos;
                } else {
                    work += nanos;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return new Jvm(0, 0, 0);
        }
        return new Jvm(work, jit, gc);
    }

    /** CPU nanoseconds of {@code pid}, its live children and the children it has reaped; 0 when it cannot be read. */
    static double withChildren(long pid) {
        String[] own = fields(Path.of("/proc", Long.toString(pid), "stat"));
        if (own == null) {
            return 0;
        }
        double nanos = ticks(own, 11) + ticks(own, 12) + ticks(own, 13) + ticks(own, 14);
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] stat = fields(p.resolve("stat"));
                if (stat != null && stat[1].equals(Long.toString(pid))) {
                    nanos += ticks(stat, 11) + ticks(stat, 12);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return 0;
        }
        return nanos;
    }

    /**
     * The fields of a {@code stat} file after the command name (which may hold spaces, so it is skipped up to its
     * closing parenthesis): index 0 is the state, 1 the parent's pid, 11 and 12 user and system time, 13 and 14
     * those of reaped children. Null when the file is gone.
     */
    private static String[] fields(Path stat) {
        try {
            String line = Files.readString(stat);
            return line.substring(line.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    private static double ticks(String[] fields, int index) {
        return Long.parseLong(fields[index]) * TICK_NANOS;
    }
}
