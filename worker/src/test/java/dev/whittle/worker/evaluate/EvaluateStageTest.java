package dev.whittle.worker.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Limit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@WorkerTest
class EvaluateStageTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Autowired
    Workers workers;
    @Autowired
    TestJobs testJobs;
    @Autowired
    RegisteredTasks tasks;
    @Autowired
    Evaluations evaluations;
    @Autowired
    EvaluationSamples samples;
    @Autowired
    StorageRoots storage;
    @Autowired
    JobEvents events;
    @Autowired
    Models models;
    @Autowired
    StageTypes stageTypes;

    private Worker worker;
    private String taskName;

    @BeforeEach
    void registerTask() throws Exception {
        taskName = "mc-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = storage.dataRoots().getFirst().resolve(taskName + ".jsonl");
        Files.createDirectories(data.getParent());
        Files.writeString(data, """
                {"q": "The fox jumps over the", "options": ["dog", "lazy dog", "sun"], "gold": 1}
                {"q": "In the morning the farmer", "options": ["walks", "sleeps"], "gold": 0}
                {"q": "The dog sleeps in the", "options": ["sun", "forest", "town"], "gold": 0}
                """);
        tasks.register(JsonMapper.shared().readTree("""
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(taskName, taskName)));
        worker = workers.create(1);
        worker.start();
    }

    @AfterEach
    void stop() {
        worker.stop(Duration.ofSeconds(5));
    }

    @Test
    void aDenseModelsResultsAreStoredWithSamplesAndReusedAsTheBaselineOfWhatAJobMakesFromIt() {
        Model dense = testJobs.model();
        Job first = testJobs.submit(dense, "[{\"type\":\"EVALUATE\",\"tasks\":[\"" + taskName + "\"]}]");
        Job firstDone = testJobs.await(first.getId(), j -> j.getStatus().isFinal(), WAIT);
        assertThat(firstDone.getStatus()).as(firstDone.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode firstResult = firstDone.getResult().get("stages").get(0).get("result");
        UUID denseEvaluation = UUID.fromString(firstResult.get("tasks").get(0).get("evaluationId").asString());
        Evaluation stored = evaluations.findById(denseEvaluation).orElseThrow();
        assertThat(stored.getModelId()).isEqualTo(dense.getId());
        assertThat(stored.getSamples()).isEqualTo(3);
        assertThat(samples.count(denseEvaluation, null)).isEqualTo(3);
        assertThat(samples.page(denseEvaluation, null, 0, 10).getFirst().get("choices")).hasSize(3);
        assertThat(firstResult.get("baselineModelId").isNull()).as("a root model is its own baseline").isTrue();
        assertThat(firstResult.get("model").get("sparsity").asDouble()).isZero();

        Job second = testJobs.submit(dense, "[{\"type\":\"WRITE_MODEL\",\"seed\":9},{\"type\":\"EVALUATE\",\"tasks\":[\""
                + taskName + "\"]}]");
        Job secondDone = testJobs.await(second.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(secondDone.getStatus()).as(secondDone.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode outcome = secondDone.getResult().get("stages").get(1).get("result").get("tasks").get(0);
        assertThat(outcome.get("baselineEvaluationId").asString()).isEqualTo(denseEvaluation.toString());
        Evaluation output = evaluations.findById(UUID.fromString(outcome.get("evaluationId").asString())).orElseThrow();
        assertThat(output.getModelId()).as("given the output model's id when the job registered it")
                .isEqualTo(secondDone.getOutputModelId());
        double denseAcc = stored.getMetrics().get("acc").get("value").asDouble();
        double outputAcc = output.getMetrics().get("acc").get("value").asDouble();
        if (denseAcc == 0) {
            assertThat(outcome.get("retention").isNull()).as("nothing to retain").isTrue();
        } else {
            assertThat(outcome.get("retention").get("value").asDouble()).isCloseTo(outputAcc / denseAcc, within(1e-12));
            assertThat(output.getRetention().get("value").asDouble()).isCloseTo(outputAcc / denseAcc, within(1e-12));
        }
        assertThat(output.getBaselineId()).isEqualTo(denseEvaluation);
        List<Evaluation> onOutput = evaluations.findLatestPerTask(secondDone.getOutputModelId(), null);
        assertThat(onOutput).extracting(Evaluation::getId).containsExactly(output.getId());
        assertThat(evaluations.findLatestPerTask(dense.getId(), null)).extracting(Evaluation::getId).containsExactly(denseEvaluation);
    }

    @Test
    void theJobsPercentCountsTheTasksDoneSoItNeverGoesBackWhenTheNextTaskStartsAtZero() throws Exception {
        String second = taskName + "-b";
        Files.copy(storage.dataRoots().getFirst().resolve(taskName + ".jsonl"),
                storage.dataRoots().getFirst().resolve(second + ".jsonl"));
        tasks.register(JsonMapper.shared().readTree("""
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(second, second)));
        Job job = testJobs.submit(testJobs.model(), "[{\"type\":\"EVALUATE\",\"tasks\":[\"" + taskName + "\",\""
                + second + "\"]}]");
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);

        List<Double> percents = events.findByJobIdAndIdGreaterThanOrderByIdAsc(job.getId(), 0, Limit.unlimited()).stream()
                .filter(e -> e.getType().equals("stage.progress") && e.getData().path("total").asLong() > 0)
                .map(e -> e.getData().get("percent").asDouble()).toList();
        assertThat(percents).isSorted().contains(50.0, 100.0);
    }

    @Test
    void unknownTasksSuitesAndBaselinesAreRefusedAtSubmission() {
        Model model = testJobs.model();
        assertThatThrownBy(() -> testJobs.submit(model,
                "[{\"type\":\"EVALUATE\",\"tasks\":[\"nope\"],\"suite\":\"kick\",\"baseline\":\"missing\"}]"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field())
                        .containsExactlyInAnyOrder("stages[0].tasks[0]", "stages[0].suite", "stages[0].baseline"));
        assertThatThrownBy(() -> testJobs.submit(model, "[{\"type\":\"EVALUATE\",\"limit\":-1,\"batchSize\":0}]"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field()).containsExactlyInAnyOrder("stages[0].limit", "stages[0].batchSize"));
    }

    @Test
    void aPrunedModelDraftsForItsParentInTheSpeculativeTask() {
        Model dense = testJobs.model();
        Job prune = testJobs.await(testJobs.submit(dense,
                "[{\"type\":\"PRUNE\",\"method\":\"magnitude\",\"sparsity\":0.3}]").getId(),
                j -> j.getStatus().isFinal(), WAIT);
        assertThat(prune.getStatus()).as(prune.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Model pruned = models.findById(prune.getOutputModelId()).orElseThrow();

        Job done = testJobs.await(testJobs.submit(pruned,
                "[{\"type\":\"EVALUATE\",\"tasks\":[\"ref-speculative\"],\"limit\":1}]").getId(),
                j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode result = done.getResult().get("stages").get(0).get("result");
        assertThat(result.get("targetModelId").asString()).as("the dense parent").isEqualTo(dense.getId().toString());
        JsonNode outcome = result.get("tasks").get(0);
        assertThat(outcome.get("metric").asString()).isEqualTo("mean_accepted_length");
        assertThat(outcome.get("baselineEvaluationId").isNull()).as("the target is the comparison").isTrue();
        Evaluation stored = evaluations.findById(UUID.fromString(outcome.get("evaluationId").asString())).orElseThrow();
        assertThat(stored.getModelId()).isEqualTo(pruned.getId());
        assertThat(stored.getDetails().get("mismatches").asInt()).as("the target's own greedy tokens").isZero();
        for (int k = 1; k <= 8; k++) {
            JsonNode group = stored.getGroups().get("k=" + k);
            assertThat(group.get("mean_accepted_length").get("value").asDouble()).as("k=%d", k).isBetween(1.0, k + 1.0);
            assertThat(group.get("acceptance_rate").get("value").asDouble()).as("k=%d", k).isBetween(0.0, 1.0);
            assertThat(group.get("speedup").get("value").asDouble()).as("k=%d", k).isPositive();
        }
    }

    @Test
    void aSpeculativeTaskIsRefusedAtSubmissionWithoutATargetOrWithAnotherVocabulary() throws IOException {
        Model dense = testJobs.model();
        Path folder = Path.of(dense.getPath());
        Model otherVocabulary = testJobs.model(7, TestModels.options().vocab(300));
        Model sameVocabulary = testJobs.model(8, TestModels.options());
        String stage = "[{\"type\":\"EVALUATE\",\"tasks\":[\"ref-speculative\"]%s}]";

        assertThatThrownBy(() -> parse(stage.formatted(""), folder))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> {
                            assertThat(p.field()).isEqualTo("stages[0].target");
                            assertThat(p.message()).contains("no parent");
                        }));
        assertThatThrownBy(() -> parse(stage.formatted(",\"target\":\"" + otherVocabulary.getName() + "\""), folder))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> {
                            assertThat(p.field()).isEqualTo("stages[0].target");
                            assertThat(p.message()).contains("vocabulary of 300 tokens");
                        }));
        assertThat(parse(stage.formatted(",\"target\":\"" + sameVocabulary.getName() + "\""), folder)).hasSize(1);
    }

    private List<RecipeStage> parse(String stages, Path folder) throws IOException {
        return stageTypes.parse(JsonMapper.shared().readTree(stages), "stages", ModelConfig.load(folder), folder);
    }

    @Test
    void registeringATaskChecksItAndItsDatasetPath() {
        assertThatThrownBy(() -> tasks.register(JsonMapper.shared().readTree("""
                {"name": "escape", "dataset": {"format": "jsonl", "path": "../../etc/x.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "generate_until", "answerField": "a"}}
                """))).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(e.problems().getFirst().field()).isEqualTo("dataset.path"));
        assertThatThrownBy(() -> tasks.register(JsonMapper.shared().readTree("""
                {"name": "mcr-qa", "dataset": {"format": "jsonl", "path": "x.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "generate_until", "answerField": "a"}}
                """))).hasMessageContaining("already exists");
        assertThatThrownBy(() -> tasks.register(JsonMapper.shared().readTree("{\"name\": \"x\", \"metrics\": [\"bleu\"]}")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field()).contains("dataset", "request", "metrics"));
    }
}
