package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

@ApiTest
class IdempotencyTest {

    @LocalServerPort
    int port;

    @Test
    void theSameKeyAndBodyReturnTheFirstJobAndAnotherBodyUnderTheKeyIsRefused() {
        Api api = new Api(port);
        String model = TestModelFolders.registerLlama(api).get("name").asString();
        String key = UUID.randomUUID().toString();
        String body = "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"labels\":{\"k\":\"" + key + "\"}}";
        // The same request, keys in another order and other spacing.
        String sameBody = "{ \"labels\": {\"k\": \"" + key + "\"}, \"stages\": [ {\"type\": \"INSPECT\"} ], \"model\": \"" + model + "\" }";

        Api.Response first = api.post("/api/v1/jobs", body, "Idempotency-Key", key);
        Api.Response again = api.post("/api/v1/jobs", sameBody, "Idempotency-Key", key);
        Api.Response other = api.post("/api/v1/jobs", body.replace("INSPECT", "HOLD"), "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().get("type").asString()).isEqualTo("urn:whittle:problem:idempotency-key-reused");
        assertThat(other.errorFields()).containsExactly("Idempotency-Key");
        assertThat(api.get("/api/v1/jobs?label=k:" + key).json().get("totalItems").asLong()).isEqualTo(1);
        // Without a key, the same body is a new job.
        assertThat(api.post("/api/v1/jobs", body).json().get("id")).isNotEqualTo(first.json().get("id"));
    }
}
