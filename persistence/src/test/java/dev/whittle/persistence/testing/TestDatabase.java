package dev.whittle.persistence.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests, one server per test JVM, a fresh database per caller. The server is, in order
 * of preference: the one named by {@code WHITTLE_TEST_DATABASE_URL} (a JDBC URL to a database the user
 * {@code WHITTLE_TEST_DATABASE_USER} / {@code WHITTLE_TEST_DATABASE_PASSWORD} may create databases from),
 * a Testcontainers {@code postgres:17} when a Docker daemon answers, or else an embedded server in a
 * temporary directory.
 */
public final class TestDatabase {

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
    private static final AtomicInteger databases = new AtomicInteger();

    /** Where to connect: a JDBC URL and its credentials. */
    public record Coordinates(String url, String username, String password) {
    }

    private TestDatabase() {
    }

    /** Creates an empty database on the test server and says how to reach it. */
    public static Coordinates create() {
        Coordinates server = Server.COORDINATES;
        String name = "whittle_test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server.url(), server.username(), server.password());
             var s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + " on " + server.url(), e);
        }
        return new Coordinates(server.url().replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1"), server.username(),
                server.password());
    }

    /** The server, started on first use (class initialisation is lazy and thread-safe). */
    private static final class Server {
        static final Coordinates COORDINATES = start();

        private static Coordinates start() {
            String url = System.getenv("WHITTLE_TEST_DATABASE_URL");
            if (url != null && !url.isBlank()) {
                log.info("Test databases on {}", url);
                return new Coordinates(url, System.getenv().getOrDefault("WHITTLE_TEST_DATABASE_USER", "postgres"),
                        System.getenv().getOrDefault("WHITTLE_TEST_DATABASE_PASSWORD", ""));
            }
            if (dockerAnswers()) {
                PostgreSQLContainer container = new PostgreSQLContainer("postgres:17");
                container.start();
                log.info("Test databases on a Testcontainers PostgreSQL: {}", container.getJdbcUrl());
                return new Coordinates(container.getJdbcUrl(), container.getUsername(), container.getPassword());
            }
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        // Throwaway data: durability only costs time here.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "300")
                        .start();
                log.info("Test databases on an embedded PostgreSQL, port {}", pg.getPort());
                return new Coordinates(pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Could not start an embedded PostgreSQL for tests", e);
            }
        }

        private static boolean dockerAnswers() {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable e) {
                return false;
            }
        }
    }
}
