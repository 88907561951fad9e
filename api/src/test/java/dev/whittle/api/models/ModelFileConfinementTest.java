package dev.whittle.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A registered model's files are served and loaded only as registered: a link leading out of the roots is
 * refused at registration and at download (404: the file registered is no longer there to serve, and the
 * client's request was not at fault, so not 422), and rewritten bytes are caught by the SHA-256 recorded at
 * registration (409: register the folder again).
 */
@ApiTest
class ModelFileConfinementTest {

    private static final Path PASSWD = Path.of("/etc/passwd");

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    private static void assertProblem(Api.Response r, int status, String... detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains(detail);
    }

    @Test
    void aFolderHoldingALinkOutOfTheRootsIsRefusedAtRegistration() throws Exception {
        String name = TestModelFolders.llama();
        Files.createSymbolicLink(TestModelFolders.MODEL_ROOT.resolve(name).resolve("README.md"), PASSWD);
        Api.Response r = api.post("/api/v1/models", "{\"name\":\"" + name + "\",\"path\":\"" + name + "\"}");
        assertProblem(r, 422, "README.md", "outside");
        assertThat(r.errorFields()).containsExactly("path");
    }

    @Test
    void aFileSwappedForALinkAfterRegistrationIsNotServed() throws Exception {
        JsonNode model = TestModelFolders.registerLlama(api);
        Path config = Path.of(model.get("path").asString(), "config.json");
        Files.delete(config);
        Files.createSymbolicLink(config, PASSWD);

        Api.Response r = api.get("/api/v1/models/" + model.get("id").asString() + "/files/config.json");
        assertProblem(r, 404, "outside the model roots");
        assertThat(r.body()).doesNotContain("root:");
    }

    @Test
    void aFileRewrittenAfterRegistrationIsCaughtByItsChecksumAtDownloadAndWhenAJobLoadsIt() throws Exception {
        JsonNode model = TestModelFolders.registerLlama(api);
        Path weights = Path.of(model.get("path").asString(), "model.safetensors");
        String base = "/api/v1/models/" + model.get("id").asString() + "/files/model.safetensors";
        assertThat(api.get(base).status()).isEqualTo(200);

        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 0x40; // same size, different last weight
        Files.write(weights, bytes);

        assertProblem(api.get(base), 409, "changed since registration", "SHA-256");
        String location = api.post("/api/v1/jobs", "{\"model\":\"" + model.get("id").asString()
                + "\",\"stages\":[{\"type\":\"INSPECT\"}]}").header("Location");
        JsonNode job = api.poll(location, j -> j.get("status").asString().matches("SUCCEEDED|FAILED"), Duration.ofSeconds(60));
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").toString()).contains("MODEL_CHANGED", "model.safetensors");
    }

    @Test
    void anUnsatisfiableRangeIsA416Problem() {
        JsonNode model = TestModelFolders.registerLlama(api);
        String base = "/api/v1/models/" + model.get("id").asString() + "/files/config.json";
        long size = api.get(base).body().length();
        Api.Response r = api.send(api.builder(base, "Range", "bytes=" + (size + 10) + "-" + (size + 20)).GET().build());
        assertProblem(r, 416, "config.json");
        assertThat(r.header("Content-Range")).isEqualTo("bytes */" + size);
        assertThat(r.errorFields()).containsExactly("Range");
    }

    @Test
    void aBuiltinTaskPathThatClimbsOutOfTheBuiltinDataIsRefused() {
        Api.Response r = api.post("/api/v1/tasks", """
                {"name": "manifest", "dataset": {"format": "text", "path": "builtin:../../META-INF/MANIFEST.MF", "split": "test"},
                 "request": {"type": "rolling_perplexity", "textField": "text", "seqlen": 64}}
                """);
        assertProblem(r, 422, "without '..'");
        assertThat(r.errorFields()).containsExactly("dataset.path");
    }
}
