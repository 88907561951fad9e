package dev.whittle.worker.quantize;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.evaluate.RegisteredTasks;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The QUANTIZE stage through the worker: submission checks, and a GPTQ job whose output EVALUATE then reads. */
@WorkerTest
class QuantizeStageTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Autowired
    Workers workers;
    @Autowired
    TestJobs testJobs;
    @Autowired
    StageTypes stageTypes;
    @Autowired
    Models models;
    @Autowired
    RegisteredTasks tasks;
    @Autowired
    StorageRoots storage;

    private Worker worker;

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.stop(Duration.ofSeconds(5));
        }
    }

    private List<FieldProblem> problemsOf(String stage) {
        try {
            stageTypes.parse(JsonMapper.shared().readTree("[" + stage + "]"), "stages");
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems with " + stage);
    }

    @Test
    void aGroupSizeOfZeroAndTooManyBitsAreRefusedAtTheirFields() {
        assertThat(problemsOf("{\"type\": \"QUANTIZE\", \"method\": \"rtn\", \"group\": 0}"))
                .extracting(FieldProblem::field).contains("stages[0].group");
        assertThat(problemsOf("{\"type\": \"QUANTIZE\", \"method\": \"gptq\", \"bits\": 16}"))
                .extracting(FieldProblem::field).contains("stages[0].bits");
    }

    @Test
    void aGptqJobWritesAPackQuantizedModelThatEvaluateReads() throws Exception {
        String task = "mc-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = storage.dataRoots().getFirst().resolve(task + ".jsonl");
        Files.createDirectories(data.getParent());
        Files.writeString(data, """
                {"q": "The fox jumps over the", "options": ["dog", "lazy dog", "sun"], "gold": 1}
                {"q": "In the morning the farmer", "options": ["walks", "sleeps"], "gold": 0}
                """);
        tasks.register(JsonMapper.shared().readTree("""
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task)));
        Model input = testJobs.model();
        Job job = testJobs.submit(input, """
                [{"type": "QUANTIZE", "method": "gptq", "bits": 4, "group": 32, "actOrder": true,
                  "calibration": {"nsamples": 4, "seqlen": 32}},
                 {"type": "EVALUATE", "tasks": ["%s"]}]""".formatted(task));
        worker = workers.create(1);
        worker.start();
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode statistics = done.getResult().get("stages").get(0).get("result");
        // the test model is fp32: 4-bit codes and an fp32 scale per 32 weights
        assertThat(statistics.get("bitsPerWeight").asDouble()).isEqualTo(5.0);
        assertThat(statistics.get("layers").get(0).get("outputError").asDouble()).isBetween(0.0, 1.0);
        assertThat(done.getResult().get("stages").get(1).get("result").get("tasks")).hasSize(1);
        Path folder = Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath());
        assertThat(folder.resolve(QuantizeStage.STATISTICS_FILE)).isRegularFile();
        JsonNode config = ModelConfig.load(folder).get("quantization_config");
        assertThat(config.get("config_groups").get("group_0").get("weights").get("actorder").asString())
                .isEqualTo("static");
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            assertThat(checkpoint.contains("model.layers.0.self_attn.q_proj.weight_packed")).isTrue();
        }
    }
}
