package dev.whittle.persistence.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL cluster in a directory of its own, started from the binaries packaged by zonky.
 *
 * <p>The data directory survives restarts. Three cases at start:
 * <ul>
 *   <li>no server runs on the directory: start one and own it (stopped again by {@link #close()});</li>
 *   <li>a server runs and another live process owns it (holds zonky's lock file): join it as a guest, so a
 *       second Whittle process (an extra worker) shares the first one's database;</li>
 *   <li>a server runs but its owner is gone (the JVM was killed): adopt that orphan, since extra workers may
 *       still hold connections to it (a smart shutdown would wait for them forever): take the lock, use it, and
 *       stop it on close as zonky stops its own (fast shutdown). An orphan that no longer answers is stopped
 *       (fast, then immediate) and replaced.</li>
 * </ul>
 * Commits are durable: zonky starts PostgreSQL with {@code -F} (fsync off) and {@code synchronous_commit=off},
 * with which a crash may lose transactions already acknowledged (a submitted job, a recorded end), or worse, corrupt
 * the cluster on a power loss; both are set back on.
 * As root, PostgreSQL refuses to run; zonky then runs its binaries through {@code unshare -U} (a user
 * namespace), which needs nothing from us.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";
    /** zonky's lock file in the data directory, held by the owning JVM for as long as the server runs. */
    private static final String OWNER_LOCK = "epg-lock";

    private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);

    private final EmbeddedPostgres owned;
    /** The lock and postmaster of an adopted orphan (null otherwise): this process stops it on close. */
    private final OwnerLock adopted;
    private final long adoptedPid;
    private final int port;
    private final String database;

    private EmbeddedPostgresServer(EmbeddedPostgres owned, OwnerLock adopted, long adoptedPid, int port, String database) {
        this.owned = owned;
        this.adopted = adopted;
        this.adoptedPid = adoptedPid;
        this.port = port;
        this.database = database;
    }

    /** Starts (or joins) the server on {@code directory} and makes sure {@code database} exists. */
    public static EmbeddedPostgresServer start(Path directory, int port, String database, Duration startupTimeout) {
        try {
            Path dir = directory.toAbsolutePath().normalize();
            Files.createDirectories(dir);
            Optional<Postmaster> running = runningServer(dir);
            EmbeddedPostgresServer server = null;
            if (running.isPresent()) {
                Postmaster orphan = running.get();
                OwnerLock lock = OwnerLock.tryAcquire(dir);
                if (lock == null) {
                    log.info("Joining the embedded PostgreSQL that another process runs on {} (port {})", dir, orphan.port());
                    server = new EmbeddedPostgresServer(null, null, 0, orphan.port(), database);
                } else if (answers(orphan.port(), startupTimeout)) {
                    log.warn("Adopting the embedded PostgreSQL (pid {}, port {}) left running on {} by a process that is gone",
                            orphan.pid(), orphan.port(), dir);
                    server = new EmbeddedPostgresServer(null, lock, orphan.pid(), orphan.port(), database);
                } else {
                    lock.release();
                    stop(orphan.pid(), dir);
                }
            }
            if (server == null) {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(false)
                        .setPort(port)
                        .setPGStartupWait(startupTimeout)
                        // zonky's defaults are for throwaway test data: -F (fsync off) and synchronous_commit=off.
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .start();
                server = new EmbeddedPostgresServer(pg, null, 0, pg.getPort(), database);
                log.info("Embedded PostgreSQL on port {}, data in {}", pg.getPort(), dir);
            }
            server.createDatabaseIfMissing();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + directory, e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    public String username() {
        return SUPERUSER;
    }

    public int port() {
        return port;
    }

    /** True when this process started or adopted the server (and stops it on close). */
    public boolean owner() {
        return owned != null || adopted != null;
    }

    private String jdbcUrl(String db) {
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }

    private void createDatabaseIfMissing() {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "")) {
            try (var s = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                s.setString(1, database);
                if (s.executeQuery().next()) {
                    return;
                }
            }
            try (var s = c.createStatement()) {
                s.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            // Two processes starting at once may both try; the loser sees "already exists".
            if (!"42P04".equals(e.getSQLState())) {
                throw new IllegalStateException("Could not create database " + database + " on the embedded PostgreSQL", e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (owned != null) {
            owned.close();
        }
        if (adopted != null) {
            try {
                stop(adoptedPid, null);
            } finally {
                adopted.release();
            }
        }
    }

    /** A running postmaster: its pid and port. */
    private record Postmaster(long pid, int port) {
    }

    /** The server that postmaster.pid says runs on {@code dir}, if that process is alive. */
    private static Optional<Postmaster> runningServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        // postmaster.pid: line 1 the pid, line 4 the port (PostgreSQL's documented layout).
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> new Postmaster(pid, port));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether a server on {@code port} accepts a connection within {@code timeout}. */
    private static boolean answers(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", SUPERUSER, "")) {
                return c.isValid(5);
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    log.warn("The orphaned PostgreSQL on port {} does not answer: {}", port, e.getMessage());
                    return false;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /**
     * Stops the postmaster {@code pid}: a fast shutdown (SIGINT: clients are disconnected, their transactions rolled
     * back, a checkpoint written), then an immediate one (SIGQUIT: recovery at the next start) if it takes too long.
     * Never a smart shutdown (SIGTERM), which waits for every client, and other workers may be connected.
     */
    private static void stop(long pid, Path dir) {
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isEmpty()) {
            return;
        }
        if (dir != null) {
            log.warn("Stopping the embedded PostgreSQL (pid {}) left running on {} by a process that is gone", pid, dir);
        }
        for (String signal : List.of("INT", "QUIT")) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
                postmaster.get().onExit().get(FAST_SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while stopping PostgreSQL (pid " + pid + ")", e);
            } catch (Exception e) {
                log.warn("PostgreSQL (pid {}) did not stop on SIG{} within {}", pid, signal, FAST_SHUTDOWN);
            }
        }
        throw new IllegalStateException("PostgreSQL (pid " + pid + ") did not stop; stop it by hand");
    }

    /**
     * zonky's lock file in the data directory: held by the process that owns the running server. Null from
     * {@link #tryAcquire} when another live process (or this JVM, in another application context) holds it.
     */
    private record OwnerLock(FileChannel channel, FileLock lock) {

        static OwnerLock tryAcquire(Path dir) throws IOException {
            FileChannel channel = FileChannel.open(dir.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new OwnerLock(channel, lock);
                }
            } catch (java.nio.channels.OverlappingFileLockException e) {
                // this very JVM owns it
            }
            channel.close();
            return null;
        }

        void release() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                log.warn("Could not release the lock on the embedded PostgreSQL: {}", e.getMessage());
            }
        }
    }
}
