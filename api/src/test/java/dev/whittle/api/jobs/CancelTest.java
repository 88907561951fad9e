package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.queue.WorkerLifecycle;
import dev.whittle.worker.testing.Holds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class CancelTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @LocalServerPort
    int port;
    @Autowired
    WorkerLifecycle lifecycle;
    Api api;
    String model;

    @BeforeEach
    void registerAModel() {
        api = new Api(port);
        model = TestModelFolders.registerLlama(api).get("name").asString();
    }

    @Test
    void cancellingARunningJobStopsItAtTheNextUnitAndRemovesItsPartialOutputs() {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        try {
            String id = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"HOLD\",\"key\":\""
                    + key + "\",\"units\":5}]}").json().get("id").asString();
            Path workspace = Path.of("target/test-storage/work", id);
            api.poll("/api/v1/jobs/" + id, j -> j.get("status").asString().equals("RUNNING")
                    && Files.exists(workspace.resolve("stage-0-attempt-1/scratch.bin")), WAIT);

            Api.Response cancel = api.post("/api/v1/jobs/" + id + "/cancel", "");
            assertThat(cancel.status()).isEqualTo(202);
            assertThat(cancel.json().get("status").asString()).isIn("CANCELLING", "CANCELLED");
            JsonNode ended = api.poll("/api/v1/jobs/" + id, j -> j.get("status").asString().equals("CANCELLED"), WAIT);

            assertThat(ended.get("finishedAt")).isNotNull();
            assertThat(Files.exists(workspace)).as("partial outputs removed").isFalse();
            Api.Response again = api.post("/api/v1/jobs/" + id + "/cancel", "");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.json().get("detail").asString()).contains("already ended (CANCELLED)");
            assertThat(api.get("/api/v1/jobs/" + id + "/events").json().get("items").valueStream()
                    .map(e -> e.get("type").asString()).toList())
                    .containsSubsequence("stage.started", "job.cancel-requested", "job.ended");
        } finally {
            Holds.release(key);
        }
    }

    @Test
    void cancellingAQueuedJobCancelsItAtOnceAndNoWorkerRunsIt() {
        lifecycle.stop();
        String id;
        try {
            id = submitInspect();
            Api.Response cancel = api.post("/api/v1/jobs/" + id + "/cancel", "");
            assertThat(cancel.status()).isEqualTo(202);
            assertThat(cancel.json().get("status").asString()).isEqualTo("CANCELLED");
        } finally {
            lifecycle.start();
        }
        // Workers claim in the order jobs were queued: once a job queued later has run, a worker has passed over
        // the cancelled one, and would have claimed it first had it still been queued.
        String later = submitInspect();
        api.poll("/api/v1/jobs/" + later, j -> j.get("status").asString().equals("SUCCEEDED"), WAIT);

        JsonNode job = api.get("/api/v1/jobs/" + id).json();
        assertThat(job.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(job.get("attempt").asInt()).isZero();
        assertThat(api.get("/api/v1/jobs/" + id + "/events").json().get("items").valueStream()
                .map(e -> e.get("type").asString())).doesNotContain(JobQueue.CLAIMED);
    }

    @Test
    void cancellingAFinishedJobIsAConflictAndAnUnknownOneIsNotFound() {
        String id = submitInspect();
        api.poll("/api/v1/jobs/" + id, j -> j.get("status").asString().equals("SUCCEEDED"), WAIT);
        assertThat(api.post("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/jobs/" + UUID.randomUUID() + "/cancel", "").status()).isEqualTo(404);
    }

    private String submitInspect() {
        return api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}]}")
                .json().get("id").asString();
    }
}
