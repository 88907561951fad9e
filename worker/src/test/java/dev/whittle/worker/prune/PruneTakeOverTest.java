package dev.whittle.worker.prune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.stream.Stream;

import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Limit;

/**
 * A worker dying mid-PRUNE, again and again ({@link Worker#crash()}: no more heartbeats or writes, as a SIGKILL), each
 * time taken over by a fresh worker once the lease expires: the job still ends once, SUCCEEDED, with one output model
 * and no working folder or stray output left behind.
 */
@WorkerTest
class PruneTakeOverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CRASHES = 2; // the test jobs allow 3 attempts

    @Autowired
    Workers workers;
    @Autowired
    TestJobs testJobs;
    @Autowired
    Models models;
    @Autowired
    JobEvents events;
    @Autowired
    StorageRoots storage;

    @Test
    void aPruneWhoseWorkerIsKilledMidStageRepeatedlyEndsOnceWithOneOutput() throws Exception {
        // Deep enough that the stage reports several blocks before it ends, so there is a "mid-stage" to kill it in.
        Model model = testJobs.model(11, TestModels.options().layers(4));
        Job job = testJobs.submit(model, """
                [{"type": "PRUNE", "method": "sparsegpt", "sparsity": 0.5, "calibration": {"nsamples": 8, "seqlen": 48}}]""");
        for (int attempt = 1; attempt <= CRASHES; attempt++) {
            int current = attempt;
            Worker worker = workers.create(1);
            worker.start();
            testJobs.await(job.getId(), j -> j.getAttempt() == current && j.getStatus() == JobStatus.RUNNING
                    && j.getProgress().unitDone() != null && j.getProgress().unitDone() > 0
                    && j.getProgress().percent() < 100, WAIT);
            worker.crash();
            testJobs.await(job.getId(), j -> j.getStatus() == JobStatus.QUEUED, WAIT);
            worker.stop(Duration.ofSeconds(5));
        }
        Worker last = workers.create(1);
        last.start();
        try {
            Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

            assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.getAttempt()).isEqualTo(CRASHES + 1);
            assertThat(events.findByJobIdAndIdGreaterThanOrderByIdAsc(job.getId(), 0, Limit.unlimited()))
                    .filteredOn(e -> e.getType().equals(JobQueue.ENDED)).hasSize(1);
            assertThat(models.findAll()).filteredOn(m -> job.getId().equals(m.getProducingJobId())).hasSize(1);
            assertThat(Files.exists(storage.workspace(job.getId()))).as("working folder removed").isFalse();
            String prefix = job.getId().toString().substring(0, 8);
            try (Stream<java.nio.file.Path> outputs = Files.list(storage.outputRoot())) {
                assertThat(outputs.map(p -> p.getFileName().toString()).filter(n -> n.contains(prefix)))
                        .as("one output folder for the job").hasSize(1);
            }
        } finally {
            last.stop(Duration.ofSeconds(5));
        }
    }
}
