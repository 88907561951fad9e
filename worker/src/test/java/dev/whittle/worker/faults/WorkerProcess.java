package dev.whittle.worker.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.whittle.persistence.testing.CrashableDatabase;
import dev.whittle.worker.WorkerApplication;
import dev.whittle.worker.testing.WorkerTest;

/**
 * A worker in a process of its own ({@link WorkerApplication} on this test's class path), against the test's database,
 * with the shared test settings (leases of seconds): what a test kills with SIGKILL, as an operator or the kernel's
 * OOM killer would. Its output goes to {@code target/worker-processes/<name>.log}.
 */
final class WorkerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts a worker on {@code database}, with these extra settings; {@code name} names its log. */
    static WorkerProcess start(String name, CrashableDatabase database, String... settings) {
        Path log = Path.of("target/worker-processes", name + ".log").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), WorkerApplication.class.getName(),
                "--spring.config.import=" + WorkerTest.SHARED_PROPERTIES,
                "--spring.datasource.url=" + database.jdbcUrl(), "--spring.datasource.username=" + database.username(),
                "--server.port=0",
                // The shared test settings' 2 s lease can lapse while a fresh JVM compiles on a loaded machine;
                // 10 s still re-claims a killed worker's job within the test's wait.
                "--whittle.worker.lease=10s", "--whittle.worker.heartbeat=1s"));
        command.addAll(List.of(settings));
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new WorkerProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no last write; the job's lease simply stops being renewed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("worker process " + process.pid() + " survived SIGKILL");
        }
    }

    /** SIGTERM, then the time a graceful stop may take. */
    void stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(15));
        }
    }
}
