package dev.whittle.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.worker.testing.Holds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** What a job writes: a model under the name asked for, with a model card; and how models and jobs are deleted. */
@ApiTest
class OutputModelsTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @LocalServerPort
    int port;
    Api api;
    JsonNode dense;

    @BeforeEach
    void aRegisteredModel() {
        api = new Api(port);
        dense = TestModelFolders.registerLlama(api);
    }

    @Test
    void theOutputTakesTheRequestedNameAndItsFolderHasAModelCardWithRecipeLineageAndEvaluation() throws Exception {
        String name = "child-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode job = run("{\"name\":\"make a child\",\"model\":\"" + dense.get("name").asString() + "\",\"output\":{\"name\":\""
                + name + "\"},\"stages\":[{\"type\":\"WRITE_MODEL\",\"seed\":3},"
                + "{\"type\":\"EVALUATE\",\"tasks\":[\"ref-multiple-choice\"],\"limit\":2}]}");
        assertThat(job.get("output").get("name").asString()).isEqualTo(name);
        assertThat(job.get("outputModel").get("name").asString()).isEqualTo(name);

        JsonNode model = api.get("/api/v1/models/" + name).json();
        Path folder = Path.of(model.get("path").asString());
        assertThat(folder.getFileName().toString()).isEqualTo(name);
        String card = Files.readString(folder.resolve("README.md"));
        assertThat(card).startsWith("# " + name + "\n")
                .contains("Written by Whittle job `" + job.get("id").asString() + "` (make a child)",
                        "## Lineage", "- `" + dense.get("name").asString() + "` (" + dense.get("id").asString(),
                        "registered from a folder", "## Recipe", "\"type\" : \"WRITE_MODEL\"",
                        "## Evaluation", "| ref-multiple-choice | acc | 2 |");
        assertThat(api.get("/api/v1/models/" + name + "/files").json().valueStream().map(f -> f.get("name").asString()))
                .as("the card is among the files checksummed at registration").contains("README.md");

        Api.Response taken = api.post("/api/v1/jobs", "{\"model\":\"" + dense.get("id").asString() + "\",\"output\":{\"name\":\""
                + name + "\"},\"stages\":[{\"type\":\"WRITE_MODEL\"}]}");
        assertThat(taken.status()).isEqualTo(422);
        assertThat(taken.errorFields()).containsExactly("output.name");
        Api.Response unsafe = api.post("/api/v1/jobs", "{\"model\":\"" + dense.get("id").asString()
                + "\",\"output\":{\"name\":\"../escape\"},\"stages\":[{\"type\":\"WRITE_MODEL\"}]}");
        assertThat(unsafe.status()).isEqualTo(422);
        assertThat(unsafe.errorFields()).containsExactly("output.name");

        String evaluation = job.get("result").get("stages").get(1).get("result").get("tasks").get(0).get("evaluationId").asString();
        assertThat(api.delete("/api/v1/models/" + name).status()).as("an evaluated model is deleted").isEqualTo(204);
        assertThat(api.get("/api/v1/evaluations/" + evaluation).status()).as("its evaluations go with it").isEqualTo(404);
        assertThat(Files.exists(folder)).isFalse();
    }

    @Test
    void deletingRefusesWhatIsStillNeededRemovesJobWrittenFoldersAndOnlyUnregistersFoldersRegisteredByPath() {
        String denseId = dense.get("id").asString();
        JsonNode job = run("{\"model\":\"" + denseId + "\",\"stages\":[{\"type\":\"WRITE_MODEL\"}]}");
        String jobId = job.get("id").asString();
        String childId = job.get("outputModel").get("id").asString();
        Path childFolder = Path.of(api.get("/api/v1/models/" + childId).json().get("path").asString());
        Path denseFolder = Path.of(dense.get("path").asString());

        assertThat(api.delete("/api/v1/models/" + denseId).status()).as("a child depends on it").isEqualTo(409);
        Api.Response writer = api.delete("/api/v1/jobs/" + jobId);
        assertThat(writer.status()).as("the model it wrote is registered").isEqualTo(409);
        assertThat(writer.header("Content-Type")).startsWith("application/problem+json");

        String key = UUID.randomUUID().toString();
        Holds.hold(key);
        String holding;
        try {
            holding = api.post("/api/v1/jobs", "{\"model\":\"" + childId + "\",\"stages\":[{\"type\":\"HOLD\",\"key\":\""
                    + key + "\"}]}").json().get("id").asString();
            api.poll("/api/v1/jobs/" + holding, j -> j.get("status").asString().equals("RUNNING"), WAIT);
            Api.Response inUse = api.delete("/api/v1/models/" + childId);
            assertThat(inUse.status()).isEqualTo(409);
            assertThat(inUse.json().get("detail").asString()).contains(holding);
            assertThat(api.delete("/api/v1/jobs/" + holding).status()).as("still running").isEqualTo(409);
            assertThat(api.post("/api/v1/jobs/" + holding + "/cancel", "").status()).isEqualTo(202);
        } finally {
            Holds.release(key);
        }
        api.poll("/api/v1/jobs/" + holding, j -> j.get("status").asString().equals("CANCELLED"), WAIT);

        Api.Response deleted = api.delete("/api/v1/models/" + childId);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.header("Whittle-Folder")).isEqualTo("deleted");
        assertThat(Files.exists(childFolder)).isFalse();
        assertThat(api.get("/api/v1/models/" + childId).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/jobs/" + holding).json().has("model")).as("an ended job keeps its record").isFalse();

        assertThat(api.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/jobs/" + jobId).status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/jobs/" + holding).status()).isEqualTo(204);

        Api.Response unregistered = api.delete("/api/v1/models/" + denseId);
        assertThat(unregistered.status()).isEqualTo(204);
        assertThat(unregistered.header("Whittle-Folder")).isEqualTo("kept");
        assertThat(Files.isRegularFile(denseFolder.resolve("config.json"))).as("the user's folder is kept").isTrue();
        assertThat(api.delete("/api/v1/models/" + denseId).status()).isEqualTo(404);
    }

    private JsonNode run(String jobJson) {
        Api.Response submitted = api.post("/api/v1/jobs", jobJson);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        JsonNode job = api.poll(submitted.header("Location"), j -> j.get("status").asString().matches("SUCCEEDED|FAILED|CANCELLED"), WAIT);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }
}
