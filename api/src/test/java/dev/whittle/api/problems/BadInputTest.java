package dev.whittle.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** Each kind of bad input gets its own precise 4xx problem naming the fields at fault, and the service keeps serving. */
@ApiTest
class BadInputTest {

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
        Api.Response ok = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(ok.status()).isEqualTo(202);
    }

    private Api.Response submit(String json) {
        return api.post("/api/v1/jobs", json);
    }

    private static void assertProblem(Api.Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:whittle:problem:" + type);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("detail").asString()).isNotBlank();
    }

    @Test
    void malformedJsonIsA400ThatSaysWhere() {
        Api.Response r = submit("{\"model\": \"x\", \"stages\": [");
        assertProblem(r, 400, "malformed-json");
        assertThat(r.json().get("detail").asString()).contains("line 1");
    }

    @Test
    void missingFieldsAreEachNamed() {
        Api.Response r = submit("{\"name\":\"nothing else\"}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactlyInAnyOrder("model", "stages");
        assertProblem(submit("{\"model\":\"" + model + "\",\"stages\":[{}]}"), 422, "invalid-request");
        assertThat(submit("{\"model\":\"" + model + "\",\"stages\":[{}]}").errorFields()).containsExactly("stages[0].type");
    }

    @Test
    void wrongTypesAreNamedWithTheTypeExpected() {
        Api.Response stages = submit("{\"model\":\"" + model + "\",\"stages\":\"INSPECT\"}");
        assertProblem(stages, 422, "invalid-request");
        assertThat(stages.json().get("errors").get(0).get("field").asString()).isEqualTo("stages");
        assertThat(stages.json().get("errors").get(0).get("message").asString()).isEqualTo("must be an array");

        Api.Response attempts = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"maxAttempts\":\"3\"}");
        assertThat(attempts.errorFields()).containsExactly("maxAttempts");
        assertThat(attempts.json().get("errors").get(0).get("message").asString()).isEqualTo("must be an integer");

        Api.Response param = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"HOLD\",\"units\":true}]}");
        assertThat(param.errorFields()).containsExactly("stages[0].units");
        assertThat(submit("{\"model\":42,\"stages\":[{\"type\":\"INSPECT\"}]}").errorFields()).containsExactly("model");
    }

    @Test
    void outOfRangeValuesAreNamedWithTheirLimits() {
        Api.Response r = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"HOLD\",\"units\":0}],\"maxAttempts\":11}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactlyInAnyOrder("maxAttempts", "stages[0].units");
        assertThat(r.body()).contains("must be less than or equal to 10", "must be greater than or equal to 1");
    }

    @Test
    void unknownFieldsAreRefusedRatherThanIgnored() {
        Api.Response r = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\",\"deep\":true}],\"priority\":1}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactly("priority");
        assertThat(submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\",\"deep\":true}]}").errorFields())
                .containsExactly("stages[0].deep");
    }

    @Test
    void anUnknownStageTypeIsRefusedAndNothingIsQueued() {
        long before = api.get("/api/v1/jobs?size=1").json().get("totalItems").asLong();
        Api.Response r = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"},{\"type\":\"DEFRAGMENT\"}]}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactly("stages[1].type");
        assertThat(r.json().get("errors").get(0).get("message").asString()).contains("unknown stage type 'DEFRAGMENT'", "INSPECT", "QUANTIZE");
        assertThat(api.get("/api/v1/jobs?size=1").json().get("totalItems").asLong()).isEqualTo(before);
    }

    @Test
    void anUnknownModelIsNamed() {
        Api.Response r = submit("{\"model\":\"no-such-model\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactly("model");
        assertThat(submit("{\"model\":\"" + UUID.randomUUID() + "\",\"stages\":[{\"type\":\"INSPECT\"}]}").errorFields())
                .containsExactly("model");
    }

    @Test
    void pathsOutsideTheModelRootsAreRefused() throws Exception {
        assertPathRefused("../../../pom.xml", "contains '..'");
        assertPathRefused("/etc", "outside");
        assertPathRefused("no-such-folder", "does not exist");
        // A link inside the root that leads out of it.
        Path outside = Files.createTempDirectory("whittle-outside");
        Path link = TestModelFolders.MODEL_ROOT.resolve("link-" + UUID.randomUUID());
        Files.createSymbolicLink(link, outside);
        assertPathRefused(link.getFileName().toString(), "outside");
        // Inside the root, but not a model.
        Path empty = Files.createDirectories(TestModelFolders.MODEL_ROOT.resolve("empty-" + UUID.randomUUID()));
        assertPathRefused(empty.getFileName().toString(), "no weights");
    }

    private void assertPathRefused(String path, String reason) {
        Api.Response r = api.post("/api/v1/models", "{\"name\":\"m-" + UUID.randomUUID() + "\",\"path\":\"" + path + "\"}");
        assertProblem(r, 422, "invalid-request");
        assertThat(r.errorFields()).containsExactly("path");
        assertThat(r.json().get("errors").get(0).get("message").asString()).contains(reason);
    }

    @Test
    void anOversizedBodyIsA413WhetherItsLengthIsDeclaredOrNot() {
        String big = "{\"model\":\"" + model + "\",\"name\":\"" + "x".repeat(100_000) + "\",\"stages\":[{\"type\":\"INSPECT\"}]}";
        assertProblem(submit(big), 413, "payload-too-large");

        HttpRequest chunked = api.builder("/api/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(big))).build();
        assertProblem(api.send(chunked), 413, "payload-too-large");
    }

    @Test
    void aBodyThatIsNotJsonIsA415() {
        Api.Response r = api.send(api.builder("/api/v1/jobs").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("model=x")).build());
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void unknownJobsAndMalformedIdsAreA404AndA400() {
        assertProblem(api.get("/api/v1/jobs/" + UUID.randomUUID()), 404, "not-found");
        Api.Response badId = api.get("/api/v1/jobs/not-a-uuid");
        assertProblem(badId, 400, "bad-parameter");
        assertThat(badId.errorFields()).containsExactly("id");
        assertProblem(api.get("/api/v1/jobs?status=SLEEPING"), 400, "bad-parameter");
    }

    @Test
    void aCallbackToAHostOffTheAllowListOrNotHttpIsRefused() {
        assertThat(submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"callbackUrl\":\"http://example.com/hook\"}")
                .errorFields()).containsExactly("callbackUrl");
        Api.Response ftp = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"callbackUrl\":\"ftp://127.0.0.1/x\"}");
        assertThat(ftp.json().get("errors").get(0).get("message").asString()).contains("http or https");
    }

    @Test
    void badLabelsAreNamedByKey() {
        JsonNode errors = submit("{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"labels\":{\"bad key!\":\"v\"}}").json();
        assertThat(errors.get("errors").get(0).get("field").asString()).isEqualTo("labels.bad key!");
    }
}
