package dev.whittle.worker.distill;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.TestWorkers;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A DISTILL whose worker dies mid-training resumes on another worker from the last checkpoint in the job's work
 * folder, not from step 0, and ends with the weights and losses of an uninterrupted run with the same seed.
 */
@WorkerTest
class DistillResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final int STEPS = 200;
    private static final String STAGE = """
            [{"type": "DISTILL", "method": "sft", "data": {"dataset": "%s", "promptField": "q", "responseField": "a"},
              "training": {"steps": %d, "learningRate": 1e-3, "batchTokens": 64, "maxLength": 32, "seed": 11,
                           "validationFraction": 0.25, "validateEvery": 50, "checkpointEvery": 10}}]""";

    @Autowired
    TestJobs testJobs;
    @Autowired
    Models models;
    @Autowired
    DatasetCatalog datasets;
    @Autowired
    StorageRoots storage;

    @RegisterExtension
    final TestWorkers testWorkers = new TestWorkers();

    @Test
    void aJobTakenOverFromACrashedWorkerResumesFromItsCheckpointAndEndsAsAnUninterruptedRun() throws IOException {
        Model input = testJobs.model();
        String stage = STAGE.formatted(AnimalDataset.register(datasets, storage), STEPS);
        Job job = testJobs.submit(input, stage);
        Worker first = testWorkers.start();
        Job training = testJobs.await(job.getId(), j -> j.getStatus().isFinal() || j.getProgress().stageName() != null
                && j.getProgress().stageName().endsWith("train") && j.getProgress().unitDone() >= 20, WAIT);
        assertThat(training.getStatus()).as(training.getErrorMessage()).isEqualTo(JobStatus.RUNNING);

        first.crash();
        testJobs.await(job.getId(), j -> j.getStatus() == JobStatus.QUEUED, WAIT);
        testJobs.await(job.getId(), j -> first.runningJobs().isEmpty(), WAIT);
        testWorkers.start();
        Job resumed = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(resumed.getStatus()).as(resumed.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(resumed.getAttempt()).isEqualTo(2);
        JsonNode result = resumed.getResult().get("stages").get(0).get("result");
        assertThat(result.get("resumedFromStep").asInt()).as("not from step 0").isBetween(20, STEPS - 1);

        Job whole = testJobs.submit(input, stage);
        Job uninterrupted = testJobs.await(whole.getId(), j -> j.getStatus().isFinal(), WAIT);
        assertThat(uninterrupted.getStatus()).as(uninterrupted.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode reference = uninterrupted.getResult().get("stages").get(0).get("result");
        assertThat(reference.get("resumedFromStep").asInt()).isZero();
        assertThat(result.get("lossCurve")).isEqualTo(reference.get("lossCurve"));
        try (Checkpoint a = Checkpoint.open(folder(resumed)); Checkpoint b = Checkpoint.open(folder(uninterrupted))) {
            assertThat(a.names()).isEqualTo(b.names());
            for (String name : a.names()) {
                assertThat(a.floats(name)).as(name).containsExactly(b.floats(name));
            }
        }
    }

    private Path folder(Job job) {
        return Path.of(models.findById(job.getOutputModelId()).orElseThrow().getPath());
    }
}
