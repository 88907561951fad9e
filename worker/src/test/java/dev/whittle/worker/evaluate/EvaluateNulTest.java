package dev.whittle.worker.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.persistence.evaluation.Evaluation;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.TestWorkers;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * NUL (U+0000), which PostgreSQL can store neither in text nor in jsonb, in what EVALUATE reads and makes: task data
 * files and generated text. The evaluation is kept with each NUL stored as U+FFFD (the replacement character); a task
 * that cannot run fails with its own reason, never with the database's refusal.
 */
@WorkerTest
class EvaluateNulTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String REPLACEMENT = "\uFFFD";

    @RegisterExtension
    final TestWorkers workers = new TestWorkers();
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

    @Test
    void aModelGeneratingTheNulByteHasItsSamplesAndGroupsStoredWithTheReplacementCharacter() throws Exception {
        String task = register("""
                {"prompt": "Q: a\\u0000b A:", "answer": "x\\u0000", "attribute": "g\\u0000"}
                {"prompt": "Q: c A:", "answer": "y", "attribute": "h"}
                """, "\"request\": {\"type\": \"generate_until\", \"answerField\": \"answer\", \"maxTokens\": 3}, "
                + "\"groupBy\": \"attribute\"");

        Job done = workers.run(nulGenerator(), evaluate(task), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Evaluation stored = evaluation(done);
        assertThat(stored.getGroups().has("g" + REPLACEMENT)).as(stored.getGroups().toString()).isTrue();
        List<JsonNode> records = samples.page(stored.getId(), null, 0, 10);
        assertThat(records).hasSize(2);
        JsonNode first = records.getFirst();
        // Byte 0x00 decodes to U+0000, which is stored as U+FFFD: three generated tokens, three characters.
        assertThat(first.get("output").asString()).isEqualTo(REPLACEMENT.repeat(3));
        assertThat(first.get("prompt").asString()).isEqualTo("Q: a" + REPLACEMENT + "b A:");
        assertThat(first.get("target").asString()).isEqualTo("x" + REPLACEMENT);
        assertThat(first.get("group").asString()).isEqualTo("g" + REPLACEMENT);
    }

    @Test
    void nulInTheChoicesOfAMultipleChoiceTaskIsStoredAsTheReplacementCharacter() throws Exception {
        String task = register("""
                {"q": "The fox\\u0000", "options": ["dog\\u0000", "sun"], "gold": 0}
                """, "\"request\": {\"type\": \"loglikelihood\", \"choicesField\": \"options\", \"goldField\": \"gold\"}");

        Job done = workers.run(testJobs.model(), evaluate(task), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode record = samples.page(evaluation(done).getId(), null, 0, 1).getFirst();
        assertThat(record.get("target").asString()).isEqualTo("dog" + REPLACEMENT);
    }

    @Test
    void nulInATextDatasetIsScoredAndItsWindowsStored() throws Exception {
        String name = "nul-text-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(storage.dataRoots().getFirst().resolve(name + ".txt"), "The fox\0 jumps over the dog.\n".repeat(4));
        tasks.register(JsonMapper.shared().readTree("""
                {"name": "%s", "dataset": {"format": "text", "path": "%s.txt"},
                 "request": {"type": "rolling_perplexity", "textField": "text", "seqlen": 32},
                 "metrics": ["token_perplexity"]}
                """.formatted(name, name)));

        Job done = workers.run(testJobs.model(), evaluate(name), WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(evaluation(done).getMetrics().get("token_perplexity").get("value").asDouble()).isFinite().isPositive();
    }

    @Test
    void aTaskWhoseDataLacksTheFieldFailsWithThatReasonEvenWhenItsKeysHoldNul() throws Exception {
        // The reader's message names the keys it found, NUL included: the job's error must still be that message.
        String task = register("""
                {"q\\u0000": "The fox", "options": ["dog", "sun"], "gold": 0}
                """, "\"request\": {\"type\": \"loglikelihood\", \"choicesField\": \"options\", \"goldField\": \"gold\"}");

        Job done = workers.run(testJobs.model(), evaluate(task), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("has no field 'q'").doesNotContain("\0").doesNotContainIgnoringCase("SQL")
                .doesNotContainIgnoringCase("0x00");
    }

    /** Registers a task reading {@code jsonl} with the prompt {@code {q}} or {@code {prompt}}; returns its name. */
    private String register(String jsonl, String request) throws Exception {
        String name = "nul-" + UUID.randomUUID().toString().substring(0, 8);
        Path data = storage.dataRoots().getFirst().resolve(name + ".jsonl");
        Files.createDirectories(data.getParent());
        Files.writeString(data, jsonl);
        String prompt = jsonl.contains("\"prompt\"") ? "{prompt}" : "{q}";
        tasks.register(JsonMapper.shared().readTree("""
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "%s"}, %s}
                """.formatted(name, name, prompt, request)));
        return name;
    }

    private static String evaluate(String task) {
        return "[{\"type\":\"EVALUATE\",\"tasks\":[\"" + task + "\"]}]";
    }

    private Evaluation evaluation(Job done) {
        JsonNode outcome = done.getResult().get("stages").get(0).get("result").get("tasks").get(0);
        return evaluations.findById(UUID.fromString(outcome.get("evaluationId").asString())).orElseThrow();
    }

    /**
     * A model whose greedy choice is always the token of byte 0x00: the blocks add nothing (o_proj and down_proj are
     * zero), so the last hidden state is the token's embedding, whose first component is 1 for every token; the
     * head reads only that component, for that token alone, so its logit is positive and every other one 0.
     */
    private Model nulGenerator() {
        TestModels.Options options = TestModels.options();
        int hidden = options.hidden();
        int nul = TestTokenizers.FIRST_BYTE_ID;
        return testJobs.model(3, options, (name, values) -> {
            if (name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight")) {
                java.util.Arrays.fill(values, 0);
            } else if (name.equals("model.embed_tokens.weight")) {
                for (int token = 0; token < values.length / hidden; token++) {
                    values[token * hidden] = 1;
                }
            } else if (name.equals("lm_head.weight")) {
                java.util.Arrays.fill(values, 0);
                values[nul * hidden] = 1;
            }
            return values;
        });
    }
}
