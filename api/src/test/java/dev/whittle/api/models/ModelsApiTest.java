package dev.whittle.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class ModelsApiTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @Test
    void aRegisteredModelIsListedWithItsArchitectureAndFilesAndCanBeFoundByIdOrName() {
        JsonNode model = TestModelFolders.registerLlama(api);
        String id = model.get("id").asString();
        String name = model.get("name").asString();

        assertThat(model.get("family").asString()).isEqualTo("llama");
        assertThat(model.get("architecture").get("layers").asInt()).isEqualTo(2);
        assertThat(model.get("parameterCount").asLong()).isEqualTo(102_720);
        assertThat(api.get("/api/v1/models/" + name).json().get("id").asString()).isEqualTo(id);
        assertThat(api.get("/api/v1/models?size=500").json().get("items").valueStream().map(m -> m.get("id").asString()))
                .contains(id);
        List<String> files = api.get("/api/v1/models/" + id + "/files").json().valueStream()
                .map(f -> f.get("name").asString()).toList();
        assertThat(files).contains("config.json", "model.safetensors");
        assertThat(api.post("/api/v1/models", "{\"name\":\"" + name + "\",\"path\":\"" + name + "\"}").status())
                .as("the name is taken").isEqualTo(409);
    }

    @Test
    void aModelFileDownloadsWholeOrByRange() throws Exception {
        JsonNode model = TestModelFolders.registerLlama(api);
        String base = "/api/v1/models/" + model.get("id").asString() + "/files/model.safetensors";
        byte[] onDisk = Files.readAllBytes(Path.of(model.get("path").asString(), "model.safetensors"));

        Api.Response whole = api.get(base);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header("Content-Length")).isEqualTo(Long.toString(onDisk.length));
        assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
        assertThat(whole.header("ETag")).matches("\"[0-9a-f]{64}\"");

        var ranged = api.send(api.builder(base, "Range", "bytes=8-15").GET().build());
        assertThat(ranged.status()).isEqualTo(206);
        assertThat(ranged.header("Content-Range")).isEqualTo("bytes 8-15/" + onDisk.length);
        assertThat(ranged.body()).isEqualTo(new String(Arrays.copyOfRange(onDisk, 8, 16), java.nio.charset.StandardCharsets.UTF_8));

        assertThat(api.get("/api/v1/models/" + model.get("id").asString() + "/files/secrets.txt").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/models/" + model.get("id").asString() + "/files/..%2F..%2Fpom.xml").status()).isIn(400, 404);
    }

    @Test
    void aModelWrittenByAJobIsRegisteredWithItsLineage() {
        JsonNode input = TestModelFolders.registerLlama(api);
        String jobId = api.post("/api/v1/jobs", "{\"model\":\"" + input.get("name").asString()
                + "\",\"stages\":[{\"type\":\"WRITE_MODEL\"},{\"type\":\"INSPECT\"}]}").json().get("id").asString();
        JsonNode job = api.poll("/api/v1/jobs/" + jobId, j -> j.get("status").asString().matches("SUCCEEDED|FAILED"),
                Duration.ofSeconds(60));
        assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
        String outputId = job.get("outputModel").get("id").asString();
        // INSPECT ran on the model WRITE_MODEL wrote, not on the input.
        assertThat(job.get("result").get("stages").get(1).get("result").get("path").asString()).contains("stage-0-attempt-1");

        JsonNode lineage = api.get("/api/v1/models/" + outputId + "/lineage").json();
        assertThat(lineage.get("model").get("producingJobId").asString()).isEqualTo(jobId);
        assertThat(lineage.get("ancestors").valueStream().map(m -> m.get("id").asString()))
                .containsExactly(input.get("id").asString());
        assertThat(api.get("/api/v1/models/" + input.get("id").asString() + "/lineage").json().get("descendants")
                .valueStream().map(m -> m.get("id").asString())).containsExactly(outputId);
        assertThat(Path.of(api.get("/api/v1/models/" + outputId).json().get("path").asString())).isDirectory();
    }
}
