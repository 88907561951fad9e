package dev.whittle.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.stream.Stream;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Hostile input, one row per case: each gets its 4xx problem (application/problem+json) naming the field at fault,
 * never a 500 or a silent misreading, and the service still serves after it. {@code MODEL} in a body is a
 * registered model's name; {@code \u0000} in a body is JSON's escape, so the NUL reaches the server as data.
 */
@ApiTest
class BadInputTableTest {

    @LocalServerPort
    int port;
    Api api;
    String model;

    @BeforeEach
    void registerAModel() {
        api = new Api(port);
        model = TestModelFolders.registerLlama(api).get("name").asString();
    }

    @AfterEach
    void theServiceStillServes() {
        assertThat(api.get("/actuator/health").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/jobs?size=1").status()).isEqualTo(200);
    }

    static Stream<Arguments> cases() {
        String job = "\"model\":\"MODEL\",\"stages\":[{\"type\":\"INSPECT\"}]";
        return Stream.of(
                // Paging bounds.
                Arguments.of("GET", "/api/v1/jobs?page=-1", null, 422, "page", "greater than or equal to 0"),
                Arguments.of("GET", "/api/v1/jobs?size=0", null, 422, "size", "greater than or equal to 1"),
                Arguments.of("GET", "/api/v1/models?size=100000", null, 422, "size", "less than or equal to 500"),
                Arguments.of("GET", "/api/v1/datasets?page=2147483647", null, 422, "page", "less than or equal to 1000000"),
                Arguments.of("GET", "/api/v1/evaluations?page=-1", null, 422, "page", "greater than or equal to 0"),
                Arguments.of("GET", "/api/v1/jobs/" + UUID.randomUUID() + "/events?size=0", null, 422, "size", "greater than or equal to 1"),
                // Numbers outside their type.
                Arguments.of("POST", "/api/v1/jobs", "{" + job + ",\"maxAttempts\":1e20}", 422, "maxAttempts", "integer"),
                Arguments.of("POST", "/api/v1/jobs", "{\"model\":\"MODEL\",\"stages\":[{\"type\":\"PRUNE\",\"method\":\"wanda\","
                        + "\"sparsity\":0.5,\"calibration\":{\"nsamples\":2147483648}}]}", 422,
                        "stages[0].calibration.nsamples", "from -2147483648 to 2147483647"),
                // Numbers are not text.
                Arguments.of("POST", "/api/v1/jobs", "{" + job + ",\"name\":42}", 422, "name", "must be a string"),
                Arguments.of("POST", "/api/v1/models", "{\"name\":42,\"path\":\"MODEL\"}", 422, "name", "must be a string"),
                // NUL, which PostgreSQL cannot store.
                Arguments.of("POST", "/api/v1/jobs", "{" + job + ",\"name\":\"a\\u0000b\"}", 422, "name", "NUL"),
                Arguments.of("POST", "/api/v1/jobs", "{" + job + ",\"labels\":{\"team\":\"x\\u0000\"}}", 422, "labels.team", "NUL"),
                Arguments.of("GET", "/api/v1/jobs?label=team:x%00", null, 422, "label", "NUL"),
                Arguments.of("POST", "/api/v1/jobs", "{\"model\":\"MODEL\",\"stages\":[{\"type\":\"HOLD\",\"note\":\"\\u0000\"}]}",
                        422, "stages[0].note", "NUL"),
                Arguments.of("POST", "/api/v1/tasks", "{\"name\":\"nul-task\",\"dataset\":{\"format\":\"jsonl\",\"path\":\"x.jsonl\"},"
                        + "\"prompt\":{\"text\":\"Q: {q}\\u0000\"},\"request\":{\"type\":\"generate_until\",\"answerField\":\"a\"}}",
                        422, "prompt.text", "NUL"),
                Arguments.of("POST", "/api/v1/models", "{\"name\":\"m\\u0000\",\"path\":\"MODEL\"}", 422, "name", "NUL"),
                Arguments.of("POST", "/api/v1/datasets", "{\"name\":\"d\\u0000\",\"path\":\"x.txt\",\"format\":\"text\"}",
                        422, "name", "NUL"),
                Arguments.of("POST", "/api/v1/keys", "{\"name\":\"k\\u0000\",\"role\":\"viewer\"}", 422, "name", "NUL"),
                Arguments.of("POST", "/api/v1/teams", "{\"name\":\"t\\u0000\"}", 422, "name", "NUL"),
                Arguments.of("POST", "/api/v1/jobs", "{" + job + ",\"labels\":{\"te\\u0000am\":\"x\"}}", 422, "labels.te\u0000am", "NUL"),
                Arguments.of("GET", "/api/v1/jobs?stageType=a%00", null, 422, "stageType", "NUL"),
                Arguments.of("GET", "/api/v1/jobs?model=a%00", null, 422, "model", "NUL"),
                Arguments.of("GET", "/api/v1/evaluations?task=a%00", null, 422, "task", "NUL"),
                // Numbers are not text, in every registration.
                Arguments.of("POST", "/api/v1/datasets", "{\"name\":42,\"path\":\"x.txt\",\"format\":\"text\"}", 422, "name", "must be a string"),
                Arguments.of("POST", "/api/v1/keys", "{\"name\":42,\"role\":\"viewer\"}", 422, "name", "must be a string"),
                Arguments.of("POST", "/api/v1/teams", "{\"name\":42}", 422, "name", "must be a string"),
                // Parameters that do not read as their type: 400 bad-parameter at the parameter (bounds: 422 above).
                Arguments.of("GET", "/api/v1/jobs?status=DONE", null, 400, "status", "QUEUED"),
                Arguments.of("GET", "/api/v1/jobs/not-a-uuid", null, 400, "id", "UUID"),
                Arguments.of("GET", "/api/v1/jobs?label=nocolon", null, 400, "label", "key:value"),
                Arguments.of("GET", "/api/v1/jobs/" + UUID.randomUUID() + "/events?size=100000", null, 422, "size", "less than or equal to"));
    }

    /** Bad request headers: a problem naming the header. */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("badHeaders")
    void aBadHeaderIsAProblemNamingIt(String path, String header, String value, int status) {
        String file = path.replace("MODEL", model);
        Api.Response r = path.startsWith("POST ") ? api.post(file.substring(5), "{\"model\":\"" + model
                + "\",\"stages\":[{\"type\":\"INSPECT\"}]}", header, value) : api.get(file, header, value);
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.errorFields()).as(r.body()).containsExactly(header);
    }

    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of("/api/v1/models/MODEL/files/config.json", "Range", "bytes=999999999-", 416),
                Arguments.of("/api/v1/models/MODEL/files/config.json", "Range", "bytes=abc", 416),
                Arguments.of("POST /api/v1/jobs", "Idempotency-Key", "k".repeat(256), 400));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} at {4}")
    @MethodSource("cases")
    void isAProblemNamingTheField(String method, String path, String body, int status, String field, String message) {
        Api.Response r = method.equals("GET") ? api.get(path) : api.post(path, body.replace("MODEL", model));
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.errorFields()).as(r.body()).containsExactly(field);
        assertThat(r.json().get("errors").get(0).get("message").asString()).contains(message);
    }

    @Test
    void aCalibrationLargerThanAJobMayHoldIsRefusedWithTheEstimateAndTheLimit() {
        Api.Response r = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"PRUNE\","
                + "\"method\":\"wanda\",\"sparsity\":0.5,\"calibration\":{\"nsamples\":2000000000,\"seqlen\":2000000000}}]}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.errorFields()).as(r.body())
                .containsExactlyInAnyOrder("stages[0].calibration.nsamples", "stages[0].calibration.seqlen");
        // 2 000 000 000 windows of the test model's whole context: terabytes, against the limit (half the heap).
        assertThat(r.json().get("errors").get(0).get("message").asString())
                .containsPattern("need about [0-9.]+ GiB").contains("whittle.worker.max-job-memory");
    }

    @Test
    void aModelFolderWhoseTensorNameHoldsNulIsRefusedAtRegistrationNamingTheTensor() throws Exception {
        // PostgreSQL could store neither the model's files nor any report naming the tensor.
        String folder = TestModelFolders.llama();
        TestModels.renameTensor(TestModelFolders.MODEL_ROOT.resolve(folder), "model.norm.weight", "model.norm\0weight");

        Api.Response r = api.post("/api/v1/models", "{\"name\":\"" + folder + "\",\"path\":\"" + folder + "\"}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.errorFields()).containsExactly("path");
        assertThat(r.json().get("errors").get(0).get("message").asString()).contains("model.safetensors")
                .contains("model.norm?weight").contains("NUL");
    }

    @ParameterizedTest(name = "duplicate key in {0}")
    @MethodSource("duplicates")
    void aKeyGivenTwiceIsRefused(String path, String body) {
        Api.Response r = api.post(path, body.replace("MODEL", model));
        assertThat(r.status()).as(r.body()).isBetween(400, 422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("name");
    }

    /** Requests Tomcat refuses before Spring sees them still get a problem, not Tomcat's HTML page. */
    @ParameterizedTest(name = "Tomcat refuses {0}")
    @MethodSource("refusedByTomcat")
    void aRequestTheServerRefusesBeforeTheApplicationIsAProblemToo(String what, String path) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.body()).isBetween(400, 414);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
        assertThat(r.body()).doesNotContain("<html");
    }

    static Stream<Arguments> refusedByTomcat() {
        return Stream.of(
                Arguments.of("an encoded slash", "/api/v1/models/a%2Fb/files/c"),
                Arguments.of("an encoded NUL", "/api/v1/jobs/%00"),
                Arguments.of("a request line too long", "/api/v1/jobs?name=" + "a".repeat(20_000)));
    }

    static Stream<Arguments> duplicates() {
        return Stream.of(
                Arguments.of("/api/v1/jobs", "{\"name\":\"a\",\"name\":\"b\",\"model\":\"MODEL\",\"stages\":[{\"type\":\"INSPECT\"}]}"),
                Arguments.of("/api/v1/models", "{\"name\":\"a\",\"path\":\"MODEL\",\"name\":\"b\"}"),
                Arguments.of("/api/v1/datasets", "{\"name\":\"a\",\"path\":\"x.txt\",\"format\":\"text\",\"name\":\"b\"}"),
                Arguments.of("/api/v1/keys", "{\"name\":\"a\",\"role\":\"viewer\",\"name\":\"b\"}"));
    }
}
