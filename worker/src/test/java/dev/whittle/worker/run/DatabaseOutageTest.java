package dev.whittle.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobEvent;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.outage.DatabaseOutage;
import dev.whittle.persistence.testing.CrashableDatabase;
import dev.whittle.persistence.testing.WithCrashableDatabase;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.Holds;
import dev.whittle.worker.testing.StageRuns;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.domain.Limit;
import org.springframework.test.context.TestPropertySource;

/**
 * PostgreSQL killed (immediate shutdown, as a crash) under running jobs, and back after several lease lengths:
 * every job still ends once, SUCCEEDED, on its first attempt, with no working folder left. The server is this
 * test's own, on a fixed port, so it can be killed and started again on the same data.
 */
@WithCrashableDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "whittle.worker.enabled=false",
        // A connection attempt to a dead server fails fast (the default waits 30 s).
        "spring.datasource.hikari.connection-timeout=500"})
@TestPropertySource(locations = WorkerTest.SHARED_PROPERTIES)
class DatabaseOutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(8); // four leases of the test settings
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Autowired
    Workers workers;
    @Autowired
    TestJobs testJobs;
    @Autowired
    JobEvents events;
    @Autowired
    StorageRoots storage;

    @Test
    void jobsRunningThroughADatabaseCrashEndOnceAndSucceed(CrashableDatabase database) throws Exception {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        Model model = testJobs.model();
        String stages = "[{\"type\":\"HOLD\",\"key\":\"" + key + "\",\"units\":3},{\"type\":\"HOLD\",\"units\":2}]";
        List<Job> submitted = List.of(testJobs.submit(model, stages), testJobs.submit(model, stages),
                testJobs.submit(model, stages));
        Worker worker = workers.create(2);
        worker.start();
        try {
            for (Job job : submitted.subList(0, 2)) {
                testJobs.await(job.getId(), j -> StageRuns.of(j.getId(), 0) >= 1, WAIT);
            }

            database.crash();
            // The stages finish while the database is away: their ends cannot be saved (Spring Batch: UNKNOWN).
            Holds.release(key);
            Thread.sleep(OUTAGE.toMillis());
            database.restart();

            for (Job job : submitted) {
                Job done = awaitEnd(job.getId());
                assertThat(done.getStatus()).as("job %s: %s", job.getId(), done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(done.getAttempt()).as("no attempt lost to the outage").isEqualTo(1);
                assertThat(events.findByJobIdAndIdGreaterThanOrderByIdAsc(job.getId(), 0, Limit.unlimited()))
                        .extracting(JobEvent::getType).filteredOn(JobQueue.ENDED::equals).hasSize(1);
                assertThat(StageRuns.of(job.getId(), 1)).as("the second stage ran once").isEqualTo(1);
                assertThat(Files.exists(storage.workspace(job.getId()))).as("working folder removed").isFalse();
            }
        } finally {
            Holds.release(key);
            worker.stop(Duration.ofSeconds(5));
        }
    }

    /** Waits for the job's end, through the seconds the restarted server spends in crash recovery. */
    private Job awaitEnd(UUID jobId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return testJobs.await(jobId, j -> j.getStatus().isFinal(), Duration.ofNanos(deadline - System.nanoTime()));
            } catch (RuntimeException e) {
                if (!DatabaseOutage.causes(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
