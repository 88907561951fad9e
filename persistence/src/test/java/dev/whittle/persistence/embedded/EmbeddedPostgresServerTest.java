package dev.whittle.persistence.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void dataSurvivesARestartOnTheSameDirectory() throws Exception {
        Path data = dir.resolve("pg");
        try (var server = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
            execute(server, "create table kept (v text)", "insert into kept values ('still here')");
        }
        try (var server = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
            assertThat(queryOne(server, "select v from kept")).isEqualTo("still here");
        }
    }

    @Test
    void aSecondProcessOnTheSameDirectoryJoinsTheRunningServer() throws Exception {
        Path data = dir.resolve("pg");
        try (var first = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP);
             var second = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
            assertThat(first.owner()).isTrue();
            assertThat(second.owner()).isFalse();
            assertThat(second.jdbcUrl()).isEqualTo(first.jdbcUrl());
            execute(first, "create table shared (v int)", "insert into shared values (7)");
            assertThat(queryOne(second, "select v from shared")).isEqualTo("7");
        }
    }

    @Test
    void aServerOrphanedByAKilledProcessIsAdoptedWhileWorkersStillHoldConnections() throws Exception {
        Path data = dir.resolve("pg");
        long orphanPid = orphanServer(data);
        int orphanPort = Integer.parseInt(Files.readAllLines(data.resolve("postmaster.pid")).get(3).trim());
        // An extra worker of the dead api still holds a connection: a smart shutdown would wait for it forever.
        try (Connection worker = DriverManager.getConnection("jdbc:postgresql://localhost:" + orphanPort + "/whittle",
                "postgres", "")) {
            long started = System.nanoTime();
            try (var server = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
                assertThat(server.owner()).isTrue();
                assertThat(server.port()).isEqualTo(orphanPort);
                assertThat(queryOne(server, "select v from made_by_the_orphan")).isEqualTo("1");
                try (var rs = worker.createStatement().executeQuery("select count(*) from made_by_the_orphan")) {
                    assertThat(rs.next()).as("the worker's connection survives the adoption").isTrue();
                }
                try (var third = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
                    assertThat(third.owner()).as("a later process joins the adopter").isFalse();
                }
            }
        }
        assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).as("stopped by its adopter").isEmpty();
        try (var server = EmbeddedPostgresServer.start(data, 0, "whittle", STARTUP)) {
            assertThat(server.owner()).isTrue();
            assertThat(queryOne(server, "select v from made_by_the_orphan")).isEqualTo("1");
        }
    }

    @Test
    void commitsAreSynchronous() throws Exception {
        try (var server = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, "whittle", STARTUP)) {
            assertThat(queryOne(server, "show synchronous_commit")).isEqualTo("on");
            assertThat(queryOne(server, "show fsync")).isEqualTo("on");
        }
    }

    /** Another JVM starts the server on {@code data}, then dies without a chance to stop it; the orphan's pid. */
    private static long orphanServer(Path data) throws Exception {
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        var out = new BufferedReader(new InputStreamReader(owner.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            // server start-up logs
        }
        assertThat(line).as("the child JVM reports its server").startsWith("READY");
        owner.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long orphanPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
        assertThat(ProcessHandle.of(orphanPid)).as("the orphaned postmaster").hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        return orphanPid;
    }

    /** Starts a server, writes a row, says READY, and waits to be killed. */
    public static final class OrphanMaker {
        public static void main(String[] args) throws Exception {
            var server = EmbeddedPostgresServer.start(Path.of(args[0]), 0, "whittle", STARTUP);
            execute(server, "create table made_by_the_orphan (v int)", "insert into made_by_the_orphan values (1)");
            System.out.println("READY " + server.port());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5));
        }
    }

    private static void execute(EmbeddedPostgresServer server, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.username(), "");
             var s = c.createStatement()) {
            for (String sql : List.of(statements)) {
                s.execute(sql);
            }
        }
    }

    private static String queryOne(EmbeddedPostgresServer server, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.username(), "");
             var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
