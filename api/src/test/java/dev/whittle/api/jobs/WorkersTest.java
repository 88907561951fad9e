package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.WorkerLifecycle;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.testing.Holds;
import dev.whittle.worker.testing.StageRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Several workers on one database, started by the tests (the service's own worker is paused meanwhile). */
@ApiTest
class WorkersTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @LocalServerPort
    int port;
    @Autowired
    WorkerLifecycle lifecycle;
    @Autowired
    Workers workers;
    @Autowired
    JdbcClient jdbc;
    Api api;
    String model;
    final List<Worker> started = new ArrayList<>();

    @BeforeEach
    void pauseTheServicesWorker() {
        api = new Api(port);
        model = TestModelFolders.registerLlama(api).get("name").asString();
        lifecycle.stop();
    }

    @AfterEach
    void stopTestWorkersAndResume() {
        started.forEach(w -> w.stop(Duration.ofSeconds(5)));
        lifecycle.start();
    }

    private Worker startWorker(int threads) {
        Worker w = workers.create(threads);
        w.start();
        started.add(w);
        return w;
    }

    private List<JsonNode> events(String jobId) {
        return api.get("/api/v1/jobs/" + jobId + "/events?size=1000").json().get("items").valueStream().toList();
    }

    @Test
    void aJobWhoseWorkerStopsMidJobIsTakenBackWhenItsLeaseExpiresAndCompletesOnAnotherWorker() {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        Worker first = startWorker(1);
        String id = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"},"
                + "{\"type\":\"HOLD\",\"key\":\"" + key + "\"}],\"maxAttempts\":3}").json().get("id").asString();
        api.poll("/api/v1/jobs/" + id, j -> j.path("progress").path("stageIndex").asInt(-1) == 1, WAIT);

        first.halt(); // no more heartbeats: as if the process were killed
        Worker second = startWorker(1);
        JsonNode retried = api.poll("/api/v1/jobs/" + id,
                j -> j.get("attempt").asInt() == 2 && StageRuns.of(UUID.fromString(id), 1) == 2, WAIT);
        assertThat(retried.get("workerId").asString()).isEqualTo(second.id());
        // Both the stalled first worker and the second one are inside HOLD now; the first one's late writes
        // must not disturb the second.
        Holds.release(key);
        JsonNode done = api.poll("/api/v1/jobs/" + id, j -> j.get("status").asString().equals("SUCCEEDED"), WAIT);

        assertThat(done.get("attempt").asInt()).isEqualTo(2);
        assertThat(done.get("result").get("stages").get(0).get("result").get("parameterCount").asLong())
                .as("INSPECT's result, from the first attempt").isPositive();
        List<JsonNode> events = events(id);
        assertThat(events).filteredOn(e -> e.get("type").asString().equals("job.lease-expired")).hasSize(1);
        assertThat(events).filteredOn(e -> e.get("type").asString().equals("stage.started"))
                .extracting(e -> e.get("data").get("stageIndex").asInt())
                .as("INSPECT ran once; HOLD ran on each attempt").containsExactly(0, 1, 1);
    }

    @Test
    void twoWorkersRunFiftyJobsEachExactlyOnce() {
        Worker a = startWorker(2);
        Worker b = startWorker(2);
        String run = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Api.Response r = api.post("/api/v1/jobs", "{\"model\":\"" + model
                    + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"labels\":{\"run\":\"" + run + "\"}}");
            assertThat(r.status()).isEqualTo(202);
            ids.add(r.json().get("id").asString());
        }
        api.poll("/api/v1/jobs?label=run:" + run + "&status=SUCCEEDED&size=1",
                page -> page.get("totalItems").asLong() == 50, WAIT);

        Set<String> workersUsed = new HashSet<>();
        for (String id : ids) {
            JsonNode job = api.get("/api/v1/jobs/" + id).json();
            assertThat(job.get("attempt").asInt()).as("attempts of " + id).isEqualTo(1);
            workersUsed.add(job.get("workerId").asString());
            List<String> types = events(id).stream().map(e -> e.get("type").asString()).toList();
            assertThat(types).filteredOn("job.claimed"::equals).hasSize(1);
            assertThat(types).filteredOn("stage.started"::equals).hasSize(1);
            assertThat(types).filteredOn("job.ended"::equals).hasSize(1);
        }
        assertThat(workersUsed).containsExactlyInAnyOrder(a.id(), b.id());
        long stepExecutions = jdbc.sql("""
                        select count(*) from batch_step_execution s
                        join batch_job_execution_params p on p.job_execution_id = s.job_execution_id
                        where p.parameter_name = 'jobId' and p.parameter_value in (:ids)
                        """).param("ids", ids).query(Long.class).single();
        assertThat(stepExecutions).as("Spring Batch step executions").isEqualTo(50);
    }
}
