package dev.whittle.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class OperationsTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @Test
    void healthReportsTheDatabaseAndTheWorker() {
        JsonNode health = api.get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("db").get("status").asString()).isEqualTo("UP");
        JsonNode worker = health.get("components").get("worker");
        assertThat(worker.get("status").asString()).isEqualTo("UP");
        assertThat(worker.get("details").get("concurrency").asInt()).isEqualTo(2);
    }

    @Test
    void prometheusExposesJobsByStatusQueueDepthStageDurationsAndClaimLatency() {
        String model = TestModelFolders.registerLlama(api).get("name").asString();
        String id = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}]}")
                .json().get("id").asString();
        api.poll("/api/v1/jobs/" + id, j -> j.get("status").asString().equals("SUCCEEDED"), Duration.ofSeconds(60));

        String metrics = api.get("/actuator/prometheus").body();
        assertThat(metrics).contains("whittle_jobs{status=\"SUCCEEDED\"}", "whittle_queue_depth",
                "whittle_stage_duration_seconds_count{outcome=\"completed\",type=\"INSPECT\"}",
                "whittle_claim_latency_seconds_count");
    }

    @Test
    void theOpenApiDocumentDescribesTheRecipeStageTypesAndSwaggerUiIsServed() {
        Api.Response docs = api.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode schemas = docs.json().get("components").get("schemas");
        assertThat(schemas.has("InspectStage")).isTrue();
        assertThat(schemas.get("PruneStage").get("discriminator").get("propertyName").asString()).isEqualTo("method");
        assertThat(schemas.get("PruneStage").get("discriminator").get("mapping").get("block-removal").asString())
                .isEqualTo("#/components/schemas/PruneBlockRemovalStage");
        JsonNode sparsity = schemas.get("PruneWandaStage").get("properties").get("sparsity");
        assertThat(sparsity.get("minimum").asInt()).as(sparsity.toString()).isZero();
        assertThat(sparsity.get("exclusiveMaximum").asInt()).as(sparsity.toString()).isEqualTo(1);
        JsonNode removal = schemas.get("PruneBlockRemovalStage").get("properties");
        assertThat(removal.get("metric").get("enum")).extracting(JsonNode::asString)
                .containsExactly("angular-distance", "block-influence");
        assertThat(removal.get("blocks").get("minimum").asInt()).isEqualTo(1);
        JsonNode nsamples = schemas.get("Calibration").get("properties").get("nsamples");
        assertThat(nsamples.get("default").asInt()).isEqualTo(128);
        assertThat(nsamples.get("minimum").asInt()).isEqualTo(1);
        assertThat(schemas.get("Stage").get("discriminator").get("mapping").has("INSPECT")).isTrue();
        assertThat(docs.json().get("paths").has("/api/v1/jobs/{id}/events/stream")).isTrue();
        assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }
}
