package dev.whittle.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobEvent;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.persistence.outage.DatabaseOutage;
import dev.whittle.persistence.testing.CrashableDatabase;
import dev.whittle.persistence.testing.WithCrashableDatabase;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.domain.Limit;
import org.springframework.test.context.TestPropertySource;

/**
 * Faults with real processes: workers in processes of their own ({@link WorkerProcess}) killed with SIGKILL mid-PRUNE,
 * and this test's PostgreSQL crashed under a running job for 90 s. Each job ends exactly once, with one output model
 * when it succeeded (none half-written), and no working folder left. Minutes long (each worker process is a Spring
 * start), so it runs only with {@code -Dwhittle.fault-tests=true}: {@code scripts/fault-tests.sh}.
 */
@EnabledIfSystemProperty(named = "whittle.fault-tests", matches = "true")
@WithCrashableDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "whittle.worker.enabled=false", // this process only submits and watches
        "spring.datasource.hikari.connection-timeout=500"})
@TestPropertySource(locations = WorkerTest.SHARED_PROPERTIES)
class ProcessFaultTest {

    private static final int KILLS = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(90);
    /** A worker process's start on a busy machine, plus the work. */
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final String PRUNE = """
            [{"type": "PRUNE", "method": "sparsegpt", "sparsity": 0.5, "calibration": {"nsamples": 16, "seqlen": 64}}]""";

    @Autowired
    TestJobs testJobs;
    @Autowired
    Models models;
    @Autowired
    JobEvents events;
    @Autowired
    StorageRoots storage;

    @Test
    void aPruneWhoseWorkerProcessIsKilledMidStageThreeTimesEndsOnceWithOneOutput(CrashableDatabase database)
            throws Exception {
        Model model = testJobs.model(11, TestModels.options().layers(6));
        // Attempts to spare: on a loaded machine a lease can also lapse without a kill (the job is then re-queued
        // and run again, which is the behaviour under test too), so each kill waits for an attempt after the last.
        Job job = testJobs.submit(model, PRUNE, null, KILLS + 3);
        int killed = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            int after = killed;
            try (WorkerProcess worker = WorkerProcess.start("kill-" + kill, database)) {
                Job running = testJobs.await(job.getId(), j -> j.getAttempt() > after && j.getStatus() == JobStatus.RUNNING
                        && j.getProgress().unitDone() != null && j.getProgress().unitDone() > 0
                        && j.getProgress().percent() < 100, WAIT);
                worker.kill();
                killed = running.getAttempt();
            }
        }
        try (WorkerProcess last = WorkerProcess.start("after-kills", database)) {
            Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);
            assertThat(done.getStatus()).as("%s (log %s)", done.getErrorMessage(), last.log()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.getAttempt()).isGreaterThan(killed);
            assertEndedOnceAndClean(done);
        }
    }

    @Test
    void jobsRunningThroughA90SecondDatabaseCrashEndOnce(CrashableDatabase database) throws Exception {
        Model model = testJobs.model(12, TestModels.options().layers(6));
        List<Job> submitted = List.of(testJobs.submit(model, PRUNE), testJobs.submit(model, PRUNE));
        try (WorkerProcess worker = WorkerProcess.start("outage", database)) {
            testJobs.await(submitted.getFirst().getId(), j -> j.getStatus() == JobStatus.RUNNING
                    && j.getProgress().unitDone() != null && j.getProgress().unitDone() > 0, WAIT);
            database.crash();
            Thread.sleep(OUTAGE.toMillis());
            database.restart();
            for (Job job : submitted) {
                Job done = awaitEnd(job.getId());
                assertThat(done.getStatus()).as("job %s: %s (log %s)", job.getId(), done.getErrorMessage(), worker.log())
                        .isEqualTo(JobStatus.SUCCEEDED);
                assertEndedOnceAndClean(done);
            }
        }
    }

    /** One end event; one output model when it succeeded, none otherwise; no working folder or stray output. */
    private void assertEndedOnceAndClean(Job job) throws IOException {
        assertThat(events.findByJobIdAndIdGreaterThanOrderByIdAsc(job.getId(), 0, Limit.unlimited()))
                .extracting(JobEvent::getType).filteredOn(JobQueue.ENDED::equals).hasSize(1);
        int outputs = job.getStatus() == JobStatus.SUCCEEDED ? 1 : 0;
        assertThat(models.findByProducingJobId(job.getId())).hasSize(outputs);
        assertThat(Files.exists(storage.workspace(job.getId()))).as("working folder removed").isFalse();
        String prefix = job.getId().toString().substring(0, 8);
        try (Stream<Path> folders = Files.list(storage.outputRoot())) {
            assertThat(folders.map(p -> p.getFileName().toString()).filter(n -> n.contains(prefix)))
                    .as("output folders of the job").hasSize(outputs);
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
