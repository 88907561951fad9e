package dev.whittle.api.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class CompareReportTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api api;
    String task;
    String dense;
    String child;

    /**
     * A 2-way task whose two choices are the same text: every model ties and picks the same choice, while the gold
     * alternates, so any model scores exactly chance (0.5), and a child model keeps exactly that (retention 1).
     */
    @BeforeEach
    void aDenseModelAndItsChildEvaluatedOnAChanceTask() throws Exception {
        api = new Api(port);
        task = "coin-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), """
                {"q": "The fox jumps over the", "options": [" dog", " dog"], "gold": 0}
                {"q": "In the morning the farmer", "options": [" dog", " dog"], "gold": 1}
                {"q": "The dog sleeps in the", "options": [" dog", " dog"], "gold": 0}
                {"q": "The quick brown", "options": [" dog", " dog"], "gold": 1}
                """);
        assertThat(api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task)).status()).isEqualTo(201);
        dense = TestModelFolders.registerLlama(api).get("id").asString();
        String evaluate = "{\"type\":\"EVALUATE\",\"tasks\":[\"" + task + "\"],\"limit\":4}";
        run("{\"model\":\"" + dense + "\",\"stages\":[" + evaluate + "]}");
        child = run("{\"model\":\"" + dense + "\",\"stages\":[{\"type\":\"WRITE_MODEL\",\"seed\":1}," + evaluate + "]}")
                .get("outputModel").get("id").asString();
    }

    @Test
    void aTaskWhereTheReferenceSitsAtChanceIsLeftOutOfTheAverageWithTheReasonAndTheLimitIsWarnedAbout() {
        Api.Response response = api.get("/api/v1/reports/compare?models=" + dense + "," + child);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode report = response.json();
        JsonNode row = report.get("tasks").get(0);
        assertThat(row.get("excludedFromAverage").asString()).contains("0.500", "no better than chance (0.500)");
        assertThat(row.get("cells").get(1).get("retention").get("value").asDouble()).isEqualTo(1.0);
        JsonNode average = report.get("averageRetention").get(1);
        assertThat(average.get("value").isNull()).as("nothing left to average").isTrue();
        assertThat(average.get("leftOut").get(0).asString()).isEqualTo(task);
        assertThat(average.get("tasks")).isEmpty();
        assertThat(report.get("warnings")).hasSize(1);
        assertThat(report.get("warnings").get(0).asString()).contains(task, "limit 4", "larger than the effect");
    }

    @Test
    void theComparisonIsAlsoAMarkdownTableAndCsvByAcceptHeaderOrFormat() {
        String path = "/api/v1/reports/compare?models=" + dense + "," + child;
        Api.Response markdown = api.get(path, "Accept", "text/markdown");
        assertThat(markdown.status()).isEqualTo(200);
        assertThat(markdown.header("Content-Type")).startsWith("text/markdown");
        assertThat(markdown.body()).contains("| " + task + " (not averaged) | acc | 4 | 0.500 ± 0.289 | 0.500 ± 0.289 |",
                "Left out of the average retention:\n- " + task + ": the reference scores 0.500 ± 0.289");
        Api.Response csv = api.get(path + "&format=csv");
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.body().lines().toList()).startsWith(
                "task,metric,model,samples,limit,value,stderr,retention,retention_stderr,averaged,target");
        assertThat(csv.body()).contains(task + ",acc,");
        assertThat(api.get(path + "&format=xml").status()).isEqualTo(400);
        assertThat(api.get(path, "Accept", "application/json").json().has("averageRetention")).isTrue();
    }

    @Test
    void theReferenceColumnShowsTheResultMeasuredAsTheOthersWereNotALaterOneWithAnotherLimit() {
        run("{\"model\":\"" + dense + "\",\"stages\":[{\"type\":\"EVALUATE\",\"tasks\":[\"" + task + "\"],\"limit\":2}]}");

        JsonNode row = api.get("/api/v1/reports/compare?models=" + dense + "," + child).json().get("tasks").get(0);
        assertThat(row.get("cells").get(0).get("samples").asInt()).as("the limit-4 result, as the child's").isEqualTo(4);
        assertThat(row.get("cells").get(1).get("retention").get("value").asDouble()).isEqualTo(1.0);
    }

    /**
     * A copy of the dense model (the same seed) as a draft for it: it proposes the target's own greedy tokens, so
     * every proposal is accepted (mean accepted length k + 1, acceptance rate 1); the report shows that per draft
     * length, as the evaluation stored it, against the dense parent, and not as a task row with a retention.
     */
    @Test
    void aCompressedModelsSpeculativeResultShowsItsMeanAcceptedLengthAndSpeedUpAsADraftForItsParent() throws Exception {
        String drafting = "draft-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(DATA_ROOT.resolve(drafting + ".jsonl"), """
                {"q": "The fox jumps over the"}
                {"q": "In the morning the farmer"}
                """);
        assertThat(api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "speculative", "maxTokens": 6, "draftLengths": [1, 2]},
                 "metrics": ["mean_accepted_length", "acceptance_rate", "speedup"]}
                """.formatted(drafting, drafting)).status()).isEqualTo(201);
        String copy = run("{\"model\":\"" + dense + "\",\"stages\":[{\"type\":\"WRITE_MODEL\",\"seed\":11},"
                + "{\"type\":\"EVALUATE\",\"tasks\":[\"" + drafting + "\"]}]}").get("outputModel").get("id").asString();

        JsonNode report = api.get("/api/v1/reports/compare?models=" + dense + "," + copy).json();

        assertThat(report.get("tasks")).as("no retention row for a speculative task")
                .noneMatch(row -> row.get("task").asString().equals(drafting));
        JsonNode draft = report.get("drafts").get(0);
        assertThat(report.get("drafts")).hasSize(1);
        assertThat(draft.get("modelId").asString()).isEqualTo(copy);
        assertThat(draft.get("targetModelId").asString()).as("its dense parent").isEqualTo(dense);
        assertThat(draft.get("samples").asInt()).isEqualTo(2);
        for (int k = 1; k <= 2; k++) {
            JsonNode length = draft.get("draftLengths").get(k - 1);
            assertThat(length.get("k").asInt()).isEqualTo(k);
            assertThat(length.get("meanAcceptedLength").get("value").asDouble()).as("k=%d", k).isEqualTo(k + 1.0);
            assertThat(length.get("acceptanceRate").get("value").asDouble()).as("k=%d", k).isEqualTo(1.0);
            assertThat(length.get("speedup").get("value").asDouble()).as("k=%d", k).isPositive();
        }
        // The adaptive length (capped at k = 2) proposes 1 or 2 tokens a round, each accepted.
        JsonNode adaptive = draft.get("adaptive");
        assertThat(adaptive.get("acceptanceRate").get("value").asDouble()).isEqualTo(1.0);
        assertThat(adaptive.get("meanAcceptedLength").get("value").asDouble()).isBetween(2.0, 3.0);
        assertThat(adaptive.get("meanDraftLength").asDouble()).isBetween(1.0, 2.0);
        assertThat(adaptive.get("rule").asString()).isIn("max_length", "confidence", "margin", "entropy", "cumulative");
        String path = "/api/v1/reports/compare?models=" + dense + "," + copy;
        String markdown = api.get(path + "&format=md").body();
        String copyName = report.get("models").get(1).get("name").asString();
        String denseName = report.get("models").get(0).get("name").asString();
        assertThat(markdown).contains("| draft | task | target | samples | best k | MAL |", "| " + copyName + " | " + drafting + " | " + denseName + " | 2 |", "1: 2.00, 2: 3.00 | MAL ", "| adaptive |");
        assertThat(api.get(path + "&format=csv").body()).contains(
                drafting + ",k=2/mean_accepted_length," + copyName + ",2,0,3.0,", ",false," + denseName + "\n",
                drafting + ",adaptive/acceptance_rate," + copyName + ",2,0,1.0,");
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
