package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** What a job tells beyond its result: warnings on what a stage changed silently, and how long it has run. */
@ApiTest
class StageWarningsAndTimesTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @Test
    void aCalibrationLengthBeyondTheModelsContextIsClippedWithAWarningEventNamingTheField() {
        String model = TestModelFolders.registerLlama(api).get("id").asString();   // max_position_embeddings 512
        Api.Response submitted = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"PRUNE\","
                + "\"method\":\"wanda\",\"sparsity\":0.5,\"calibration\":{\"builtIn\":\"natural-english\",\"nsamples\":2,"
                + "\"seqlen\":1024}}]}");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        JsonNode job = api.poll(submitted.header("Location"), j -> j.get("status").asString().matches("SUCCEEDED|FAILED"),
                Duration.ofSeconds(180));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");

        List<JsonNode> events = api.get(submitted.header("Location") + "/events?size=1000").json().get("items")
                .valueStream().toList();
        List<JsonNode> warnings = events.stream().filter(e -> e.get("type").asString().equals("stage.warning")).toList();
        assertThat(warnings).hasSize(1);
        JsonNode warning = warnings.getFirst();
        assertThat(warning.get("level").asString()).isEqualTo("WARN");
        assertThat(warning.get("message").asString()).contains("1024 is longer than the model's context of 512 tokens");
        assertThat(warning.get("data").get("field").asString()).isEqualTo("stages[0].calibration.seqlen");
    }

    @Test
    void progressCarriesElapsedSecondsInTheJobAndElapsedAndRemainingSecondsInItsEvents() {
        String model = TestModelFolders.registerLlama(api).get("id").asString();
        Api.Response submitted = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"},"
                + "{\"type\":\"INSPECT\"}]}");
        JsonNode job = api.poll(submitted.header("Location"), j -> j.get("status").asString().equals("SUCCEEDED"),
                Duration.ofSeconds(60));
        JsonNode progress = job.get("progress");
        long elapsed = progress.get("elapsedSeconds").asLong();
        long wall = Duration.between(java.time.Instant.parse(job.get("startedAt").asString()),
                java.time.Instant.parse(job.get("finishedAt").asString())).toSeconds();
        assertThat(elapsed).isEqualTo(wall);
        assertThat(progress.has("remainingSeconds")).as("nothing remains of an ended job").isFalse();

        List<JsonNode> progressEvents = api.get(submitted.header("Location") + "/events?size=1000").json().get("items")
                .valueStream().filter(e -> e.get("type").asString().equals("stage.progress")).toList();
        assertThat(progressEvents).allSatisfy(e -> assertThat(e.get("data").get("elapsedSeconds").asLong()).isNotNegative());
        // once the first stage is done, the rate is known: the second stage's events say what remains
        assertThat(progressEvents.getLast().get("data").get("remainingSeconds").asLong()).isNotNegative();
    }
}
