package dev.whittle.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobEvent;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.Holds;
import dev.whittle.worker.testing.StageRuns;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Limit;

@WorkerTest
class JobRunnerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Autowired
    Workers workers;
    @Autowired
    TestJobs testJobs;
    @Autowired
    JobEvents events;
    @Autowired
    Models models;
    @Autowired
    StorageRoots storage;
    @Autowired
    dev.whittle.persistence.job.Jobs jobs;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    private Worker first;
    private Worker second;

    @AfterEach
    void stopWorkers() {
        for (Worker w : new Worker[] {first, second}) {
            if (w != null) {
                w.stop(Duration.ofSeconds(5));
            }
        }
    }

    private Worker startWorker() {
        Worker w = workers.create(1);
        w.start();
        return w;
    }

    @Test
    void aRecipeRunsStageByStageAndItsOutputModelIsRegisteredWithItsLineage() throws Exception {
        Model input = testJobs.model();
        Job job = testJobs.submit(input, "[{\"type\":\"HOLD\",\"units\":3},{\"type\":\"WRITE_MODEL\",\"seed\":3}]");
        first = startWorker();

        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.getResult().get("stages").get(0).get("result").get("units").asInt()).isEqualTo(3);
        assertThat(done.getResult().get("stages").get(1).get("result").get("tensors").asInt()).isGreaterThan(0);
        assertThat(done.getProgress().percent()).isEqualTo(100.0);
        Model output = models.findById(done.getOutputModelId()).orElseThrow();
        assertThat(output.getParentId()).isEqualTo(input.getId());
        assertThat(output.getProducingJobId()).isEqualTo(job.getId());
        assertThat(Path.of(output.getPath())).startsWith(storage.outputRoot()).isDirectory();
        assertThat(output.getFiles()).extracting(f -> f.name()).contains("config.json", "model.safetensors");
        assertThat(Files.exists(storage.workspace(job.getId()))).as("workspace removed").isFalse();
        assertThat(events.findByJobIdAndIdGreaterThanOrderByIdAsc(job.getId(), 0, Limit.unlimited()))
                .extracting(JobEvent::getType)
                .containsSubsequence(JobQueue.CLAIMED, StageTasklet.STARTED, StageTasklet.COMPLETED,
                        StageTasklet.STARTED, StageTasklet.COMPLETED, JobQueue.ENDED);
    }

    @Test
    void aFailingStageFailsTheJobWithItsMessageAndItsPartialOutputsAreRemoved() {
        Job job = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\"},{\"type\":\"FAIL\",\"message\":\"out of cheese\"}]");
        first = startWorker();

        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorCode()).isEqualTo("STAGE_FAILED");
        assertThat(done.getErrorMessage()).contains("out of cheese");
        assertThat(done.getOutputModelId()).isNull();
        assertThat(Files.exists(storage.workspace(job.getId()))).isFalse();
    }

    @Test
    void aJobThatRunsOutOfMemoryFailsAloneAndTheWorkerRunsTheNextJob() {
        Job greedy = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\"},{\"type\":\"FAIL\",\"outOfMemory\":true}]");
        Job innocent = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\",\"units\":2}]");
        first = startWorker();

        Job failed = testJobs.await(greedy.getId(), j -> j.getStatus().isFinal(), WAIT);
        Job done = testJobs.await(innocent.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(failed.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.getErrorCode()).isEqualTo(JobRunner.OUT_OF_MEMORY);
        assertThat(failed.getErrorMessage()).contains("ran out of memory").contains("MiB");
        assertThat(Files.exists(storage.workspace(greedy.getId()))).isFalse();
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(first.healthy()).isTrue();
    }

    @Test
    void anOutputThatCannotBeRegisteredFailsTheJobAndLeavesNoFolderInTheOutputRoot() throws Exception {
        Job job = testJobs.submit(testJobs.model(), "[{\"type\":\"WRITE_MODEL\",\"unregistrable\":true}]");
        first = startWorker();

        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorCode()).isEqualTo("OUTPUT_FAILED");
        assertThat(done.getOutputModelId()).isNull();
        String jobPrefix = job.getId().toString().substring(0, 8);
        try (var promoted = Files.list(storage.outputRoot())) {
            assertThat(promoted.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains(jobPrefix));
        }
        assertThat(Files.exists(storage.workspace(job.getId()))).isFalse();
    }

    @Test
    void aJobTakenBackFromACrashedWorkerRestartsWithoutRerunningCompletedStages() {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        Job job = testJobs.submit(testJobs.model(),
                "[{\"type\":\"WRITE_MODEL\"},{\"type\":\"HOLD\",\"key\":\"" + key + "\"}]");
        first = startWorker();
        testJobs.await(job.getId(), j -> StageRuns.of(j.getId(), 1) == 1, WAIT);

        first.halt();
        Job requeued = testJobs.await(job.getId(), j -> j.getStatus() == JobStatus.QUEUED, WAIT);
        assertThat(requeued.getAttempt()).isEqualTo(1);
        second = startWorker();
        testJobs.await(job.getId(), j -> StageRuns.of(j.getId(), 1) == 2, WAIT);
        Holds.release(key);
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.getAttempt()).isEqualTo(2);
        assertThat(done.getWorkerId()).isEqualTo(second.id());
        assertThat(StageRuns.of(job.getId(), 0)).as("WRITE_MODEL runs").isEqualTo(1);
        assertThat(done.getOutputModelId()).as("the first attempt's output survives the restart").isNotNull();
        assertThat(events.findByJobIdAndTypeOrderByIdAsc(job.getId(), JobQueue.LEASE_EXPIRED)).hasSize(1);
    }

    @Test
    void anExecutionLeftUnknownWhenItsEndCouldNotBeSavedIsRestartedByTheNextAttempt() {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        Job job = testJobs.submit(testJobs.model(),
                "[{\"type\":\"WRITE_MODEL\"},{\"type\":\"HOLD\",\"key\":\"" + key + "\"}]");
        first = startWorker();
        testJobs.await(job.getId(), j -> StageRuns.of(j.getId(), 1) == 1, WAIT);
        first.crash();
        testJobs.await(job.getId(), j -> j.getStatus() == JobStatus.QUEUED && first.runningJobs().isEmpty(), WAIT);
        // What Spring Batch leaves when saving a step's end fails (the database went away): UNKNOWN, which it
        // refuses to restart ("Cannot restart job from UNKNOWN status").
        long execution = jobs.findById(job.getId()).orElseThrow().getBatchExecutionId();
        jdbc.sql("update batch_step_execution set status = 'UNKNOWN' where job_execution_id = :e and step_name like 'stage-1-%'")
                .param("e", execution).update();
        jdbc.sql("update batch_job_execution set status = 'UNKNOWN' where job_execution_id = :e").param("e", execution).update();

        Holds.release(key);
        second = startWorker();
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(StageRuns.of(job.getId(), 0)).as("WRITE_MODEL runs").isEqualTo(1);
        assertThat(StageRuns.of(job.getId(), 1)).as("the stage whose end was not saved runs again").isEqualTo(2);
    }

    @Test
    void aStoppingWorkerGivesItsJobBackAndAnotherWorkerFinishesIt() throws Exception {
        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        Job job = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\",\"key\":\"" + key + "\"}]");
        first = startWorker();
        testJobs.await(job.getId(), j -> StageRuns.of(j.getId(), 0) == 1, WAIT);

        first.stop(Duration.ofSeconds(10));
        Job released = testJobs.await(job.getId(), j -> j.getStatus() == JobStatus.QUEUED, WAIT);
        assertThat(released.getAttempt()).as("a released attempt does not count").isZero();
        Holds.release(key);
        second = startWorker();
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.getAttempt()).isEqualTo(1);
        assertThat(events.findByJobIdAndTypeOrderByIdAsc(job.getId(), JobQueue.RELEASED)).hasSize(1);
    }
}
