package dev.whittle.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.persistence.testing.CrashableDatabase;
import dev.whittle.persistence.testing.WithCrashableDatabase;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * While PostgreSQL is down, requests that need it are answered at once with 503 problem+json and Retry-After
 * (not a 30 s hang and a 500); once it is back, the same requests succeed on the same process.
 */
@WithCrashableDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"whittle.worker.enabled=false", "whittle.security.bootstrap-key=" + Api.ADMIN_KEY})
@TestPropertySource(locations = WorkerTest.SHARED_PROPERTIES)
class DatabaseUnavailableTest {


    @LocalServerPort
    int port;

    @Test
    void requestsWhileTheDatabaseIsDownAreAnswered503WithRetryAfterQuickly(CrashableDatabase database) {
        Api api = new Api(port);
        assertThat(api.get("/api/v1/jobs").status()).isEqualTo(200);

        database.crash();
        try {
            for (String path : new String[] {"/api/v1/jobs", "/api/v1/models", "/api/v1/jobs/" + UUID.randomUUID()}) {
                long started = System.nanoTime();
                Api.Response down = api.get(path);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(down.status()).as(path + ": " + down.body()).isEqualTo(503);
                assertThat(down.header("Content-Type")).startsWith("application/problem+json");
                assertThat(down.header("Retry-After")).isEqualTo("5");
                assertThat(down.json().get("type").asString()).isEqualTo("urn:whittle:problem:database-unavailable");
                assertThat(took).as(path + " answered within the pool's connection timeout").isLessThan(Duration.ofSeconds(6));
            }
            Api.Response submit = api.post("/api/v1/jobs", "{\"model\":\"" + UUID.randomUUID() + "\",\"stages\":[{\"type\":\"INSPECT\"}]}");
            assertThat(submit.status()).as(submit.body()).isEqualTo(503);
        } finally {
            database.restart();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = api.get("/api/v1/jobs").status();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).as("served again once the database is back").isEqualTo(200);
    }
}
