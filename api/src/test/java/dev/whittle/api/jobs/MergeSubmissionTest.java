package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** A MERGE through the API: a model of another vocabulary is refused with a 422 naming the tensor; the output lists both parents. */
@ApiTest
class MergeSubmissionTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @Test
    void aModelWithAnotherVocabularyIsRefusedAtItsFieldNamingTheEmbedding() {
        String model = api.registerModel(TestModelFolders.llama());
        String other = api.registerModel(TestModelFolders.write(Family.LLAMA, TestModels.options().vocab(TestModels.options().vocab() + 16)));

        Api.Response r = api.submit(model, "{\"type\":\"MERGE\",\"method\":\"slerp\",\"models\":[\"" + other + "\"]}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.errorFields()).containsExactly("stages[0].models[0]");
        assertThat(r.json().get("errors").get(0).get("message").asString())
                .containsAnyOf("'model.embed_tokens.weight'", "'lm_head.weight'");
    }

    @Test
    void theMergedModelListsBothParentsAndEachSeesItInItsLineage() {
        String model = api.registerModel(TestModelFolders.llama());
        String other = api.registerModel(TestModelFolders.llama());

        Api.Response r = api.submit(model, "{\"type\":\"MERGE\",\"method\":\"linear\",\"models\":[\"" + other + "\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        JsonNode job = api.poll("/api/v1/jobs/" + r.json().get("id").asString(),
                j -> j.get("status").asString().equals("SUCCEEDED") || j.get("status").asString().equals("FAILED"),
                Duration.ofSeconds(120));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        String merged = job.get("outputModel").get("id").asString();

        JsonNode view = api.get("/api/v1/models/" + merged).json();
        assertThat(view.get("parentId").asString()).isEqualTo(model);
        assertThat(view.get("parentIds").valueStream().map(JsonNode::asString)).containsExactly(model, other);
        JsonNode lineage = api.get("/api/v1/models/" + merged + "/lineage").json();
        assertThat(lineage.get("ancestors").valueStream().map(a -> a.get("id").asString())).containsExactlyInAnyOrder(model, other);
        assertThat(api.get("/api/v1/models/" + other + "/lineage").json().get("descendants").get(0).get("id").asString())
                .isEqualTo(merged);
    }

    @Test
    void theOpenApiDocumentNamesTheRecipesAsMergekitDoesWithTheirBoundsAndDefaults() {
        JsonNode schemas = api.get("/v3/api-docs").json().get("components").get("schemas");
        JsonNode mapping = schemas.get("MergeStage").get("discriminator").get("mapping");
        assertThat(mapping.propertyNames()).containsExactlyInAnyOrder("linear", "slerp", "ties");
        JsonNode t = schemas.get("MergeSlerpStage").get("properties").get("t");
        assertThat(t.get("minimum").asInt()).as(t.toString()).isZero();
        assertThat(t.get("maximum").asInt()).isEqualTo(1);
        assertThat(t.get("default").asDouble()).isEqualTo(0.5);
        JsonNode ties = schemas.get("MergeTiesStage");
        assertThat(ties.get("properties").has("base")).isTrue();
        JsonNode density = ties.get("properties").get("density");
        assertThat(density.get("minimum").asInt()).as(density.toString()).isZero();
        assertThat(density.get("default").asDouble()).isEqualTo(1.0);
    }
}
