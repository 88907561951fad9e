package dev.whittle.api.evaluations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class EvaluationsApiTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @Test
    void aTaskRegisteredAsJsonRunsOnADenseModelAndOnItsWandaPrunedChildAndTheComparisonShowsRetention() throws Exception {
        String task = "qa-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), """
                {"q": "The fox jumps over the", "options": ["dog", "lazy dog", "sun"], "gold": 1}
                {"q": "In the morning the farmer", "options": ["walks", "sleeps"], "gold": 0}
                {"q": "The dog sleeps in the", "options": ["sun", "forest", "town"], "gold": 0}
                {"q": "The quick brown", "options": ["fox", "dog"], "gold": 0}
                """);
        Api.Response registered = api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        assertThat(registered.header("Location")).isEqualTo("/api/v1/tasks/" + task);
        assertThat(api.get("/api/v1/tasks/" + task).json().get("metrics").get(0).asString()).isEqualTo("acc");
        assertThat(api.get("/api/v1/tasks").json().valueStream().map(t -> t.get("name").asString()))
                .contains("mcr-qa", "factoid-qa", task);
        assertThat(api.get("/api/v1/suites").json().get(0).get("name").asString()).isEqualTo("kick");

        JsonNode dense = TestModelFolders.registerLlama(api);
        String denseId = dense.get("id").asString();
        String stages = "{\"type\":\"EVALUATE\",\"tasks\":[\"" + task + "\",\"ref-multiple-choice\"],\"limit\":4}";
        JsonNode first = run("{\"model\":\"" + denseId + "\",\"stages\":[" + stages + "]}");
        Path calibration = DATA_ROOT.resolve(task + "-calibration.txt");
        Files.writeString(calibration, (TestTokenizers.TRAINING_TEXT + "\n\n").repeat(6));
        assertThat(api.post("/api/v1/datasets", "{\"name\":\"" + task + "-calibration\",\"path\":\"" + calibration
                + "\",\"format\":\"text\"}").status()).isEqualTo(201);
        String prune = "{\"type\":\"PRUNE\",\"method\":\"wanda\",\"sparsity\":0.5,\"calibration\":{\"dataset\":\""
                + task + "-calibration\",\"nsamples\":4,\"seqlen\":32}}";
        JsonNode second = run("{\"model\":\"" + denseId + "\",\"stages\":[" + prune + "," + stages + "]}");
        String outputId = second.get("outputModel").get("id").asString();

        JsonNode denseScores = api.get("/api/v1/models/" + denseId + "/scores").json();
        assertThat(denseScores.get("tasks")).hasSize(2);
        JsonNode outputScores = api.get("/api/v1/models/" + outputId + "/scores").json();
        assertThat(outputScores.get("tasks")).hasSize(2);
        assertThat(outputScores.get("tasks").get(0).get("baselineModelId").asString()).isEqualTo(denseId);
        JsonNode stageResult = second.get("result").get("stages").get(1).get("result");
        assertThat(stageResult.get("baselineModelId").asString()).isEqualTo(denseId);
        assertThat(stageResult.get("tasks").get(0).get("baselineEvaluationId").asString()).as("the dense results are reused")
                .isEqualTo(first.get("result").get("stages").get(0).get("result").get("tasks").get(0).get("evaluationId").asString());

        JsonNode listed = api.get("/api/v1/evaluations?model=" + outputId).json();
        assertThat(listed.get("totalItems").asInt()).isEqualTo(2);
        JsonNode evaluation = api.get("/api/v1/evaluations/" + listed.get("items").get(0).get("id").asString()).json();
        assertThat(evaluation.get("samples").asInt()).isEqualTo(4);
        assertThat(evaluation.get("modelStats").get("nonZero").asLong()).isPositive();
        String samples = "/api/v1/evaluations/" + evaluation.get("id").asString() + "/samples";
        JsonNode all = api.get(samples + "?size=2").json();
        assertThat(all.get("totalItems").asInt()).isEqualTo(4);
        assertThat(all.get("items")).hasSize(2);
        assertThat(all.get("totalPages").asInt()).isEqualTo(2);
        int right = api.get(samples + "?correct=true").json().get("totalItems").asInt();
        JsonNode wrong = api.get(samples + "?correct=false").json();
        assertThat(right + wrong.get("totalItems").asInt()).isEqualTo(4);
        wrong.get("items").forEach(s -> assertThat(s.get("correct").asBoolean()).isFalse());
        assertThat(evaluation.get("metrics").get("acc").get("value").asDouble()).isCloseTo(right / 4.0, within(1e-12));

        JsonNode report = api.get("/api/v1/reports/compare?models=" + denseId + "," + outputId).json();
        assertThat(report.get("models")).hasSize(2);
        assertThat(report.get("models").get(1).get("parentId").asString()).isEqualTo(denseId);
        assertThat(report.get("tasks")).hasSize(2);
        JsonNode denseColumn = report.get("models").get(0);
        JsonNode prunedColumn = report.get("models").get(1);
        assertThat(denseColumn.get("sparsity").asDouble()).isZero();
        // Half of every block's linear weights are zero; the head is not pruned.
        long headWeights = 320 * 64;
        long blockWeights = denseColumn.get("nonZero").asLong() - headWeights;
        assertThat(prunedColumn.get("nonZero").asLong()).isEqualTo(headWeights + blockWeights / 2);
        assertThat(prunedColumn.get("macsPerToken").asLong()).isEqualTo(prunedColumn.get("nonZero").asLong());
        assertThat(denseColumn.get("blockSparsity").asDouble()).isZero();
        assertThat(prunedColumn.get("blockSparsity").asDouble()).isEqualTo(0.5);
        JsonNode denseAverage = report.get("averageRetention").get(0);
        assertThat(denseAverage.isNull() || denseAverage.get("stderr").asDouble() == 0).as(denseAverage.toString()).isTrue();
        for (JsonNode row : report.get("tasks")) {
            JsonNode reference = row.get("cells").get(0);
            JsonNode compressed = row.get("cells").get(1);
            double denseValue = reference.get("value").get("value").asDouble();
            if (denseValue > 0) {
                assertThat(reference.get("retention").get("value").asDouble()).isEqualTo(1.0);
                assertThat(reference.get("retention").get("stderr").asDouble()).as("the reference against itself is exact")
                        .isZero();
                assertThat(compressed.get("retention").get("value").asDouble())
                        .isCloseTo(compressed.get("value").get("value").asDouble() / denseValue, within(1e-12));
            } else {
                assertThat(compressed.get("retention").isNull()).isTrue();
            }
        }
    }

    @Test
    void anEvaluationOfAModelTheJobLaterReplacedIsNotAttributedToTheJobsOutput() {
        String input = TestModelFolders.registerLlama(api).get("id").asString();
        String evaluate = "{\"type\":\"EVALUATE\",\"tasks\":[\"ref-multiple-choice\"],\"limit\":2}";
        JsonNode job = run("{\"model\":\"" + input + "\",\"stages\":[{\"type\":\"WRITE_MODEL\",\"seed\":1}," + evaluate
                + ",{\"type\":\"WRITE_MODEL\",\"seed\":2}," + evaluate + "]}");
        String output = job.get("outputModel").get("id").asString();
        String jobId = job.get("id").asString();
        JsonNode stages = job.get("result").get("stages");
        String ofIntermediate = stages.get(1).get("result").get("tasks").get(0).get("evaluationId").asString();
        String ofOutput = stages.get(3).get("result").get("tasks").get(0).get("evaluationId").asString();

        JsonNode onOutput = api.get("/api/v1/evaluations?model=" + output).json();
        assertThat(onOutput.get("totalItems").asInt()).isEqualTo(1);
        assertThat(onOutput.get("items").get(0).get("id").asString()).isEqualTo(ofOutput);
        assertThat(onOutput.get("items").get(0).get("stageIndex").asInt()).isEqualTo(3);
        JsonNode intermediate = api.get("/api/v1/evaluations/" + ofIntermediate).json();
        assertThat(intermediate.get("jobId").asString()).isEqualTo(jobId);
        assertThat(intermediate.path("modelId").isNull() || intermediate.path("modelId").isMissingNode()).as("the model stage 0 wrote was never registered").isTrue();
    }

    @Test
    void badTasksAreRefusedAtTheirFieldsAndUnknownEvaluationsAre404() {
        Api.Response bad = api.post("/api/v1/tasks", """
                {"name": "bad", "dataset": {"format": "csv", "path": "x"}, "request": {"type": "loglikelihood"}}
                """);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.errorFields()).contains("dataset.format", "request.goldField", "prompt");
        assertThat(api.post("/api/v1/tasks", """
                {"name": "mcr-qa", "dataset": {"format": "jsonl", "path": "x.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "generate_until", "answerField": "a"}}
                """).status()).isEqualTo(409);
        assertThat(api.get("/api/v1/evaluations/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/tasks/nope").status()).isEqualTo(404);
        Api.Response job = api.post("/api/v1/jobs", "{\"model\":\"" + TestModelFolders.registerLlama(api).get("id").asString()
                + "\",\"stages\":[{\"type\":\"EVALUATE\",\"tasks\":[\"nope\"]}]}");
        assertThat(job.status()).isEqualTo(422);
        assertThat(job.errorFields()).containsExactly("stages[0].tasks[0]");
    }

    @Test
    void nulInATasksDataIsServedBackAsTheReplacementCharacterAndAFailureOnItKeepsItsOwnMessage() throws Exception {
        String task = "nul-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), """
                {"q": "The fox\\u0000", "options": ["dog\\u0000", "sun"], "gold": 0, "kind": "a\\u0000"}
                """);
        assertThat(api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}, "groupBy": "kind"}
                """.formatted(task, task)).status()).isEqualTo(201);
        String model = TestModelFolders.registerLlama(api).get("id").asString();

        JsonNode job = run("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"EVALUATE\",\"tasks\":[\"" + task + "\"]}]}");
        String evaluation = job.get("result").get("stages").get(0).get("result").get("tasks").get(0).get("evaluationId").asString();

        JsonNode sample = api.get("/api/v1/evaluations/" + evaluation + "/samples").json().get("items").get(0);
        assertThat(sample.get("prompt").asString()).isEqualTo("The fox\uFFFD");
        assertThat(sample.get("target").asString()).isEqualTo("dog\uFFFD");
        assertThat(api.get("/api/v1/evaluations/" + evaluation).json().get("groups").has("a\uFFFD")).isTrue();

        // The prompt names a field the data lacks: the reader's message lists the keys it has, a NUL among them.
        String broken = task + "-broken";
        Files.writeString(DATA_ROOT.resolve(broken + ".jsonl"), "{\"q\\u0000\": \"x\", \"options\": [\"a\"], \"gold\": 0}\n");
        assertThat(api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(broken, broken)).status()).isEqualTo(201);
        Api.Response submitted = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"EVALUATE\","
                + "\"tasks\":[\"" + broken + "\"]}]}");
        JsonNode failed = api.poll(submitted.header("Location"), j -> j.get("status").asString().matches("SUCCEEDED|FAILED"),
                Duration.ofSeconds(180));
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("message").asString()).contains("has no field 'q'").contains("q\uFFFD")
                .doesNotContainIgnoringCase("SQL");
        Api.Response events = api.get(submitted.header("Location") + "/events");
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).contains("has no field 'q'");
    }

    private JsonNode run(String jobJson) {
        Api.Response submitted = api.post("/api/v1/jobs", jobJson);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        JsonNode job = api.poll(submitted.header("Location"), j -> j.get("status").asString().matches("SUCCEEDED|FAILED|CANCELLED"),
                Duration.ofSeconds(180));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }
}
