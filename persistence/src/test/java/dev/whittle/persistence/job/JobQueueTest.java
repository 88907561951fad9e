package dev.whittle.persistence.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.whittle.persistence.PersistenceConfiguration;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelFile;
import dev.whittle.persistence.model.Models;
import dev.whittle.persistence.testing.WithTestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.data.domain.PageRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(classes = JobQueueTest.PersistenceOnly.class, properties = {"spring.jpa.hibernate.ddl-auto=validate", "spring.jpa.open-in-view=false",
        "spring.batch.job.enabled=false"})
@WithTestDatabase
class JobQueueTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    /** The persistence module and Boot's JDBC, JPA and Flyway auto-configuration, nothing else. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ComponentScan(basePackageClasses = PersistenceConfiguration.class)
    static class PersistenceOnly {
    }

    @Autowired
    JobQueue queue;
    @Autowired
    Jobs jobs;
    @Autowired
    JobEvents events;
    @Autowired
    Models models;
    @Autowired
    JdbcClient jdbc;

    Model model;

    @BeforeEach
    void emptyQueue() {
        jdbc.sql("update job set status = 'CANCELLED' where status in ('QUEUED', 'RUNNING', 'CANCELLING')").update();
        model = models.save(new Model("m-" + UUID.randomUUID(), "/models/m", "llama",
                JsonMapper.shared().readTree("{\"layers\":2}"), 1234, List.of(new ModelFile("config.json", 10, "ab")),
                List.of(), null));
    }

    @Test
    void concurrentClaimsNeverHandOutTheSameJob() throws Exception {
        Set<UUID> submitted = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            submitted.add(submit("INSPECT", Map.of()).getId());
        }
        List<UUID> claimed = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Callable<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String worker = "w" + w;
                workers.add(() -> {
                    for (var c = queue.claim(worker, LEASE); c.isPresent(); c = queue.claim(worker, LEASE)) {
                        claimed.add(c.get().lease().jobId());
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(workers)) {
                f.get();
            }
        }
        assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
        assertThat(new HashSet<>(claimed)).isEqualTo(submitted);
    }

    @Test
    void claimTakesTheOldestQueuedJobAndCountsTheAttempt() {
        Job first = submit("INSPECT", Map.of());
        submit("INSPECT", Map.of());
        Claim claim = queue.claim("w1", LEASE).orElseThrow();
        assertThat(claim.lease()).isEqualTo(new Lease(first.getId(), "w1", 1));
        Job running = jobs.findById(first.getId()).orElseThrow();
        assertThat(running.getStatus()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.getWorkerId()).isEqualTo("w1");
        assertThat(running.getLeaseExpiresAt()).isAfter(running.getHeartbeatAt().plusSeconds(29));
        assertThat(events.findByJobIdAndTypeOrderByIdAsc(first.getId(), JobQueue.CLAIMED)).hasSize(1);
    }

    @Test
    void anExpiredLeaseRequeuesTheJobAndFencesOutItsFormerWorker() {
        Job job = submit("INSPECT", Map.of());
        Lease old = queue.claim("w1", LEASE).orElseThrow().lease();
        expireLeaseOf(job.getId());

        assertThat(queue.expireLeases(10)).containsExactly(new ExpiredLease(job.getId(), "w1", 1, JobStatus.QUEUED));
        Lease next = queue.claim("w2", LEASE).orElseThrow().lease();
        assertThat(next).isEqualTo(new Lease(job.getId(), "w2", 2));

        assertThat(queue.renew(old, LEASE)).isEqualTo(LeaseState.LOST);
        assertThat(queue.reportProgress(old, new JobProgress(0, 1, "x", 1L, 2L, 50.0, "m", null))).isEqualTo(LeaseState.LOST);
        assertThat(queue.end(old, JobStatus.SUCCEEDED, null, null, null, null)).isEmpty();
        assertThat(queue.renew(next, LEASE)).isEqualTo(LeaseState.HELD);
        assertThat(jobs.findById(job.getId()).orElseThrow().getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aJobWhoseLeaseExpiresOnItsLastAttemptFails() {
        Job job = submit("INSPECT", Map.of()); // max attempts: 2
        for (int attempt = 1; attempt <= 2; attempt++) {
            queue.claim("w" + attempt, LEASE).orElseThrow();
            expireLeaseOf(job.getId());
            queue.expireLeases(10);
        }
        Job failed = jobs.findById(job.getId()).orElseThrow();
        assertThat(failed.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.getErrorCode()).isEqualTo(JobQueue.LEASE_EXPIRED_ERROR);
        assertThat(failed.getFinishedAt()).isNotNull();
    }

    @Test
    void cancellingAQueuedJobEndsItAndARunningJobAsksItsWorkerToStop() {
        Job queued = submit("INSPECT", Map.of());
        assertThat(queue.requestCancel(queued.getId())).isEqualTo(CancelOutcome.CANCELLED);
        assertThat(queue.requestCancel(queued.getId())).isEqualTo(CancelOutcome.ALREADY_FINISHED);

        Job running = submit("INSPECT", Map.of());
        Lease lease = queue.claim("w1", LEASE).orElseThrow().lease();
        assertThat(queue.requestCancel(running.getId())).isEqualTo(CancelOutcome.CANCELLING);
        assertThat(queue.renew(lease, LEASE)).isEqualTo(LeaseState.CANCEL_REQUESTED);
        // The worker finished its unit and reports success: the cancellation still wins.
        assertThat(queue.end(lease, JobStatus.SUCCEEDED, null, null, null, null)).contains(JobStatus.CANCELLED);
        assertThat(queue.requestCancel(UUID.randomUUID())).isEqualTo(CancelOutcome.NOT_FOUND);
    }

    @Test
    void endingAJobWithACallbackQueuesItsDelivery() {
        Job job = jobs.save(new Job(null, model.getId(), recipe("INSPECT"), 1, Map.of(), "http://127.0.0.1:9/hook", 2,
                null, null));
        Lease lease = queue.claim("w1", LEASE).orElseThrow().lease();
        JsonNode result = JsonMapper.shared().readTree("{\"ok\":true}");
        assertThat(queue.end(lease, JobStatus.SUCCEEDED, null, null, result, null)).contains(JobStatus.SUCCEEDED);
        Job done = jobs.findById(job.getId()).orElseThrow();
        assertThat(done.getCallbackState()).isEqualTo(CallbackState.PENDING);
        assertThat(done.getResult()).isEqualTo(result);
        assertThat(done.getProgress().percent()).isEqualTo(100.0);
    }

    @Test
    void searchFiltersByStatusStageTypeAndLabels() {
        Job a = submit("INSPECT", Map.of("team", "nlp", "size", "small"));
        Job b = submit("PRUNE", Map.of("team", "nlp"));
        Job c = submit("INSPECT", Map.of("team", "vision"));
        queue.requestCancel(c.getId());
        var page = PageRequest.of(0, 50);

        assertThat(jobs.search("QUEUED", model.getId(), null, null, null, page).map(Job::getId).toList())
                .containsExactly(b.getId(), a.getId());
        assertThat(jobs.search(null, model.getId(), "INSPECT", null, null, page).map(Job::getId).toList())
                .containsExactly(c.getId(), a.getId());
        assertThat(jobs.search(null, model.getId(), null, "{\"team\":\"nlp\"}", null, page).map(Job::getId).toList())
                .containsExactly(b.getId(), a.getId());
        assertThat(jobs.search(null, model.getId(), "INSPECT", "{\"team\":\"nlp\",\"size\":\"small\"}", null, page)
                .getTotalElements()).isEqualTo(1);
    }

    private Job submit(String stageType, Map<String, String> labels) {
        return jobs.save(new Job(null, model.getId(), recipe(stageType), 1, labels, null, 2, null, null));
    }

    private static JsonNode recipe(String stageType) {
        return JsonMapper.shared().readTree("{\"stages\":[{\"type\":\"" + stageType + "\"}]}");
    }

    private void expireLeaseOf(UUID jobId) {
        jdbc.sql("update job set lease_expires_at = now() - interval '1 second' where id = :id").param("id", jobId).update();
    }
}
