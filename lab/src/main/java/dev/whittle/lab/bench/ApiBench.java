package dev.whittle.lab.bench;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service under load, on loopback: submits per second from {@code --submitters} concurrent clients, then
 * {@code GET /api/v1/jobs/{id}} latency (p50, p99) under {@code --pollers} concurrent pollers, each phase for
 * {@code --seconds}. It needs a running service ({@code ./whittle run}) and a registered model ({@code --model});
 * the INSPECT jobs it submits carry the label {@code bench=api}. The pollers poll without pause (the service's
 * capacity); with {@code --poll-interval-ms}, a second GET phase follows in which each waits that long between its polls,
 * as clients that watch a job do (their first polls spread over one interval). Without {@code --model}, or when nothing answers,
 * it says so and measures nothing. Each phase also prints CPU milliseconds per request: the client's (this process,
 * on the same cores), the service's ({@code --service-pid}, or its metrics with an admin key) and PostgreSQL's
 * ({@code --postgres-pid}, the postmaster's).
 */
final class ApiBench implements Benchmark {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final Pattern CPU_NANOS = Pattern.compile("\"value\"\\s*:\\s*([0-9.Ee+-]+)");

    @Override
    public String name() {
        return "api";
    }

    @Override
    public String description() {
        return "a running service on loopback: submits/s, and GET /jobs/{id} p50/p99 under concurrent pollers";
    }

    @Override
    public Set<String> options() {
        return Set.of("url", "model", "key", "seconds", "submitters", "pollers", "poll-interval-ms", "service-pid",
                "postgres-pid");
    }

    @Override
    public void run(Report report) {
        run(report, BenchArguments.NONE);
    }

    @Override
    public void run(Report report, BenchArguments arguments) {
        URI base = URI.create(arguments.option("url", "http://localhost:8080"));
        String model = arguments.option("model", null);
        String key = arguments.option("key", null);
        Duration phase = Duration.ofSeconds(arguments.intOption("seconds", 5, 1));
        int submitters = arguments.intOption("submitters", 8, 1);
        int pollers = arguments.intOption("pollers", 200, 1);
        Duration interval = Duration.ofMillis(arguments.intOption("poll-interval-ms", 0, 0));
        Pids pids = new Pids(arguments.intOption("service-pid", 0, 0), arguments.intOption("postgres-pid", 0, 0));
        try {
            if (!InetAddress.getByName(base.getHost()).isLoopbackAddress()) {
                report.line("api: " + base + " is not a loopback address; this benchmark loads only the local service");
                return;
            }
        } catch (java.io.IOException e) {
            report.line("api: cannot resolve " + base.getHost() + ": " + e.getMessage());
            return;
        }
        if (model == null) {
            report.line("api: skipped (give --model NAME, a model registered on the running service at " + base + ")");
            return;
        }
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Client client = new Client(base, key);
            LoopbackConnection.Response probe = client.once("/api/v1/jobs?size=1");
            if (probe.status() != 200) {
                report.line("api: " + base + " answered " + probe.status() + " to GET /api/v1/jobs: " + probe.body());
                return;
            }
            String[] ids = submissions(report, threads, client, pids, model, submitters, phase);
            if (ids.length > 0) {
                polls(report, threads, client, pids, ids, pollers, Duration.ZERO, phase);
                if (interval.isPositive()) {
                    polls(report, threads, client, pids, ids, pollers, interval, phase);
                }
            }
        } catch (Exception e) {
            report.line("api: " + base + " cannot be measured: " + e);
        }
    }

    /** Submits from {@code submitters} clients for {@code phase}; the ids of the jobs submitted. */
    private static String[] submissions(Report report, ExecutorService threads, Client client, Pids pids, String model,
                                        int submitters, Duration phase) throws Exception {
        String body = "{\"model\":\"" + model.replace("\"", "\\\"") + "\",\"name\":\"bench-api\","
                + "\"labels\":{\"bench\":\"api\"},\"stages\":[{\"type\":\"INSPECT\"}]}";
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicLong refused = new AtomicLong();
        long deadline = System.nanoTime() + phase.toNanos();
        List<java.util.concurrent.Future<long[]>> runs = new ArrayList<>();
        Cpu cpu = Cpu.now(client, pids);
        long start = System.nanoTime();
        for (int i = 0; i < submitters; i++) {
            runs.add(threads.submit(() -> {
                try (LoopbackConnection connection = client.connect()) {
                    return timed(deadline, Duration.ZERO, () -> {
                        LoopbackConnection.Response r = connection.post("/api/v1/jobs", body);
                        Matcher id = ID.matcher(r.body());
                        if (r.status() / 100 == 2 && id.find()) {
                            ids.add(id.group(1));
                        } else {
                            refused.incrementAndGet();
                        }
                    });
                }
            }));
        }
        long[] latencies = merge(runs);
        double seconds = (System.nanoTime() - start) / 1e9;
        String perRequest = cpu.perRequest(Cpu.now(client, pids), latencies.length);
        report.line(String.format(Locale.ROOT, "api submit: %.0f submits/s from %d clients over %.1f s (p50 %.1f ms, "
                        + "p99 %.1f ms; %d refused); %s", ids.size() / seconds, submitters, seconds,
                percentile(latencies, 0.50), percentile(latencies, 0.99), refused.get(), perRequest));
        return ids.toArray(String[]::new);
    }

    /** GETs from {@code pollers} clients for {@code phase}, each pausing {@code interval} after every answer. */
    private static void polls(Report report, ExecutorService threads, Client client, Pids pids, String[] ids, int pollers,
                              Duration interval, Duration phase) throws Exception {
        long deadline = System.nanoTime() + phase.toNanos();
        List<java.util.concurrent.Future<long[]>> runs = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        Cpu cpu = Cpu.now(client, pids);
        long start = System.nanoTime();
        for (int i = 0; i < pollers; i++) {
            runs.add(threads.submit(() -> {
                if (interval.isPositive()) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(interval.toMillis())); // clients do not start together
                }
                try (LoopbackConnection connection = client.connect()) {
                    return timed(deadline, interval, () -> {
                        String id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
                        if (connection.get("/api/v1/jobs/" + id).status() != 200) {
                            failed.incrementAndGet();
                        }
                    });
                }
            }));
        }
        long[] latencies = merge(runs);
        double seconds = (System.nanoTime() - start) / 1e9;
        String perRequest = cpu.perRequest(Cpu.now(client, pids), latencies.length);
        String pace = interval.isPositive() ? "polling every " + interval.toMillis() + " ms" : "polling without pause";
        report.line(String.format(Locale.ROOT, "api GET /jobs/{id}: p50 %.1f ms, p99 %.1f ms, %.0f requests/s under %d "
                        + "pollers %s over %.1f s (%d not 200); %s", percentile(latencies, 0.50),
                percentile(latencies, 0.99), latencies.length / seconds, pollers, pace, seconds, failed.get(),
                perRequest));
    }

    /** Runs {@code call} until the deadline, pausing {@code pause} after each; the latency of each call in nanoseconds. */
    private static long[] timed(long deadline, Duration pause, Call call) throws Exception {
        long[] latencies = new long[1024];
        int n = 0;
        while (System.nanoTime() < deadline) {
            long t = System.nanoTime();
            call.run();
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = System.nanoTime() - t;
            if (pause.isPositive()) {
                Thread.sleep(pause);
            }
        }
        return Arrays.copyOf(latencies, n);
    }

    private static long[] merge(List<java.util.concurrent.Future<long[]>> runs) throws Exception {
        long[] all = new long[0];
        for (var run : runs) {
            long[] part = run.get();
            long[] joined = Arrays.copyOf(all, all.length + part.length);
            System.arraycopy(part, 0, joined, all.length, part.length);
            all = joined;
        }
        Arrays.sort(all);
        return all;
    }

    /** The {@code q} quantile in milliseconds (nearest rank). */
    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.clamp(rank, 0, sorted.length - 1)] / 1e6;
    }

    /**
     * CPU time so far of this process (the client), of the service and of PostgreSQL. The service's comes from
     * {@code /proc} when its pid is given (split into the work, JIT compilation and GC), else from its
     * {@code process.cpu.time} metric (-1 when the key may not read metrics); PostgreSQL's from {@code /proc} when
     * the postmaster's pid is given (-1 otherwise). Per request, CPU time is steadier than a rate on a shared machine.
     */
    private record Cpu(long clientNanos, double serverNanos, ProcessCpu.Jvm server, double postgresNanos) {
        static Cpu now(Client client, Pids pids) {
            long own = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            double postgres = pids.postgres() > 0 ? ProcessCpu.withChildren(pids.postgres()) : -1;
            if (pids.service() > 0) {
                ProcessCpu.Jvm server = ProcessCpu.jvm(pids.service());
                return new Cpu(own, server.work() + server.jit() + server.gc(), server, postgres);
            }
            double server = -1;
            try {
                LoopbackConnection.Response r = client.once("/actuator/metrics/process.cpu.time");
                Matcher value = CPU_NANOS.matcher(r.body());
                if (r.status() == 200 && value.find()) {
                    server = Double.parseDouble(value.group(1));
                }
            } catch (Exception unreadable) {
                // the service's CPU is then left out
            }
            return new Cpu(own, server, null, postgres);
        }

        String perRequest(Cpu after, int requests) {
            double n = Math.max(requests, 1) * 1e6;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "CPU ms/request: client %.2f",
                    (after.clientNanos - clientNanos) / n));
            if (serverNanos < 0 || after.serverNanos < 0) {
                line.append(", service unknown (give --service-pid, or a key that reads /actuator/metrics)");
            } else {
                line.append(String.format(Locale.ROOT, ", service %.2f", (after.serverNanos - serverNanos) / n));
                if (server != null) {
                    ProcessCpu.Jvm d = after.server.minus(server);
                    line.append(String.format(Locale.ROOT, " (work %.2f, JIT %.2f, GC %.2f)", d.work() / n, d.jit() / n,
                            d.gc() / n));
                }
            }
            if (postgresNanos >= 0 && after.postgresNanos >= 0) {
                line.append(String.format(Locale.ROOT, ", PostgreSQL %.2f", (after.postgresNanos - postgresNanos) / n));
            }
            return line.toString();
        }
    }

    /** The service's and the PostgreSQL postmaster's pids on this machine, 0 when not given. */
    private record Pids(long service, long postgres) {
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    /** The service's address and key; each client thread opens a connection of its own. */
    private record Client(URI base, String key) {
        LoopbackConnection connect() {
            return new LoopbackConnection(base, key);
        }

        /** One GET on a connection of its own, closed after. */
        LoopbackConnection.Response once(String path) throws java.io.IOException {
            try (LoopbackConnection connection = connect()) {
                return connection.get(path);
            }
        }
    }
}
