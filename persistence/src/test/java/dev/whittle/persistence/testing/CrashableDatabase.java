package dev.whittle.persistence.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.whittle.persistence.embedded.EmbeddedPostgresServer;

/**
 * A PostgreSQL server that one test owns, on a fixed port, so that the test can crash it and start it again on
 * the same data while an application stays connected to it (tests of database outages). Unlike {@link TestDatabase}
 * it is nobody else's. A test class gets one with {@link WithCrashableDatabase}.
 */
public final class CrashableDatabase implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path data;
    private final int port;
    private EmbeddedPostgresServer server;

    private CrashableDatabase(Path data, int port) {
        this.data = data;
        this.port = port;
        this.server = EmbeddedPostgresServer.start(data, port, "whittle", STARTUP);
    }

    public static CrashableDatabase start() {
        try (ServerSocket socket = new ServerSocket(0)) {
            int port = socket.getLocalPort();
            socket.close();
            return new CrashableDatabase(Files.createTempDirectory("whittle-crashable-pg"), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its JDBC URL (the same across restarts: same port), for another process to connect with. */
    public String jdbcUrl() {
        return server.jdbcUrl();
    }

    public String username() {
        return server.username();
    }

    /**
     * {@code pg_ctl stop -m immediate}: SIGQUIT to the postmaster, which ends its backends at once and writes no
     * checkpoint, as a crash would; the next start runs crash recovery.
     */
    public void crash() {
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
            new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            server.close(); // releases the owner's lock; its pg_ctl stop finds nothing to stop
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // pg_ctl stop on a stopped server fails; the lock is released all the same
        }
    }

    /** Starts the server again on the same data and port. */
    public void restart() {
        server = EmbeddedPostgresServer.start(data, port, "whittle", STARTUP);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
