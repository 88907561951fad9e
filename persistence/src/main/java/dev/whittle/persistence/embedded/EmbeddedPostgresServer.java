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
 *   <li>a server runs but its owner is gone (the JVM was killed): stop that orphan, then start and own.</li>
 * </ul>
 * As root, PostgreSQL refuses to run; zonky then runs its binaries through {@code unshare -U} (a user
 * namespace), which needs nothing from us.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";
    /** zonky's lock file in the data directory, held by the owning JVM for as long as the server runs. */
    private static final String OWNER_LOCK = "epg-lock";

    private final EmbeddedPostgres owned;
    private final int port;
    private final String database;

    private EmbeddedPostgresServer(EmbeddedPostgres owned, int port, String database) {
        this.owned = owned;
        this.port = port;
        this.database = database;
    }

    /** Starts (or joins) the server on {@code directory} and makes sure {@code database} exists. */
    public static EmbeddedPostgresServer start(Path directory, int port, String database, Duration startupTimeout) {
        try {
            Path dir = directory.toAbsolutePath().normalize();
            Files.createDirectories(dir);
            Optional<Integer> running = runningServerPort(dir);
            EmbeddedPostgresServer server;
            if (running.isPresent() && ownerIsAlive(dir)) {
                log.info("Joining the embedded PostgreSQL that another process runs on {} (port {})", dir, running.get());
                server = new EmbeddedPostgresServer(null, running.get(), database);
            } else {
                running.ifPresent(orphanPort -> stopOrphan(dir));
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(false)
                        .setPort(port)
                        .setPGStartupWait(startupTimeout)
                        .start();
                server = new EmbeddedPostgresServer(pg, pg.getPort(), database);
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

    /** True when this process started the server (and stops it on close). */
    public boolean owner() {
        return owned != null;
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
    }

    /** The port of the server that postmaster.pid says runs on {@code dir}, if that process is alive. */
    private static Optional<Integer> runningServerPort(Path dir) throws IOException {
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
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> port);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True when another live process holds zonky's lock on {@code dir}, i.e. owns the running server. */
    private static boolean ownerIsAlive(Path dir) throws IOException {
        Path lockFile = dir.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // this very JVM owns it (a second application context in one process)
        }
    }

    /** Stops a server left running by a process that died without stopping it (SIGTERM: smart shutdown). */
    private static void stopOrphan(Path dir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(pid).ifPresent(orphan -> {
                log.warn("Stopping the embedded PostgreSQL (pid {}) left running on {} by a process that is gone", pid, dir);
                orphan.destroy();
                try {
                    orphan.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("The orphaned PostgreSQL (pid " + pid + ") on " + dir
                            + " did not stop within 60s; stop it by hand", e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
