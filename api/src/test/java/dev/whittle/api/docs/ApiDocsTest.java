package dev.whittle.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.worker.stage.StageType;
import dev.whittle.worker.stage.StageTypes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document as a client generator reads it. */
@ApiTest
class ApiDocsTest {

    @LocalServerPort
    int port;
    @Autowired
    StageTypes stageTypes;
    JsonNode docs;

    @BeforeEach
    void document() {
        docs = new Api(port).get("/v3/api-docs").json();
    }

    @Test
    void everyOperationHasAUniqueNamedOperationIdAndEveryReferencedSchemaIsDefined() {
        List<String> ids = new ArrayList<>();
        docs.get("paths").forEachEntry((path, item) -> item.forEachEntry((method, op) -> ids.add(op.get("operationId").asString())));
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[a-z][A-Za-z]+"))
                .contains("listJobs", "getJob", "submitJob", "cancelJob", "deleteJob", "listModels", "getModel",
                        "registerModel", "deleteModel", "listDatasets", "registerDataset", "compareModels");

        Set<String> refs = new HashSet<>();
        collectRefs(docs, refs);
        JsonNode schemas = docs.get("components").get("schemas");
        assertThat(refs).allMatch(ref -> schemas.has(ref.substring(ref.lastIndexOf('/') + 1)));
        assertThat(refs).contains("#/components/schemas/Problem");
    }

    @Test
    void responsesAreDocumentedWithProblemBodiesLocationHeadersAndRanges() {
        JsonNode paths = docs.get("paths");
        JsonNode registerDataset = paths.get("/api/v1/datasets").get("post").get("responses");
        assertThat(registerDataset.has("201")).isTrue();
        assertThat(registerDataset.has("200")).isFalse();
        assertThat(registerDataset.get("201").get("headers").has("Location")).isTrue();
        assertThat(paths.get("/api/v1/jobs").get("post").get("responses").get("202").get("headers").has("Location")).isTrue();
        JsonNode getJob = paths.get("/api/v1/jobs/{id}").get("get").get("responses");
        assertThat(getJob.get("404").get("content").get("application/problem+json").get("schema").get("$ref").asString())
                .isEqualTo("#/components/schemas/Problem");
        JsonNode submit = paths.get("/api/v1/jobs").get("post").get("responses");
        assertThat(submit.has("400") && submit.has("413") && submit.has("422")).isTrue();
        assertThat(paths.get("/api/v1/models/{id}").get("delete").get("responses").has("409")).isTrue();
        assertThat(paths.get("/api/v1/models/{id}/files/{name}").get("get").get("responses").has("206")).isTrue();
        assertThat(paths.get("/api/v1/reports/compare").get("get").get("responses").get("200").get("content").propertyNames())
                .contains("application/json", "text/markdown", "text/csv");
    }

    @Test
    void stagesAreAOneOfOverEveryStageTypeAndPruneMethodsAOneOfOverEveryMethod() {
        JsonNode schemas = docs.get("components").get("schemas");
        assertThat(schemas.get("JobRequest").get("properties").get("stages").get("items").get("$ref").asString())
                .isEqualTo("#/components/schemas/Stage");
        JsonNode stageTypesMapping = schemas.get("Stage").get("discriminator").get("mapping");
        assertThat(schemas.get("Stage").get("discriminator").get("propertyName").asString()).isEqualTo("type");
        assertThat(stageTypesMapping.propertyNames())
                .containsExactlyInAnyOrderElementsOf(stageTypes.all().stream().map(StageType::name).toList());
        assertThat(stageTypesMapping.get("PRUNE").asString()).isEqualTo("#/components/schemas/PruneStage");

        JsonNode methods = schemas.get("PruneStage").get("discriminator");
        assertThat(methods.get("propertyName").asString()).isEqualTo("method");
        List<String> methodNames = new ArrayList<>();
        for (JsonSubTypes.Type type : PruneParameters.class.getAnnotation(JsonSubTypes.class).value()) {
            methodNames.add(type.name());
        }
        assertThat(methods.get("mapping").propertyNames()).containsExactlyInAnyOrderElementsOf(methodNames);
        JsonNode sparsegpt = schemas.get("PruneSparsegptStage").get("properties");
        assertThat(sparsegpt.get("method").get("enum").get(0).asString()).isEqualTo("sparsegpt");
        assertThat(sparsegpt.get("dampening").get("default").isNumber()).isTrue();
        assertThat(schemas.get("PruneSparsegptStage").get("required").valueStream().map(JsonNode::asString))
                .contains("type", "method");
    }

    @Test
    void resultsAreTypedPerStageAndNoJacksonTreeIsDescribed() {
        JsonNode schemas = docs.get("components").get("schemas");
        assertThat(schemas.get("JobView").get("properties").get("result").get("$ref").asString())
                .isEqualTo("#/components/schemas/JobResult");
        JsonNode results = schemas.get("StageResult").get("discriminator").get("mapping");
        assertThat(results.get("PRUNE").asString()).isEqualTo("#/components/schemas/PruneStageResult");
        assertThat(schemas.get("PruneStageResult").get("properties").get("result").get("$ref").asString())
                .isEqualTo("#/components/schemas/PruneResult");
        assertThat(schemas.get("PruneResult").get("properties").has("statistics")).isTrue();
        assertThat(schemas.get("EvaluateResult").get("properties").has("tasks")).isTrue();
        assertThat(schemas.get("InspectResult").get("properties").has("parameterCount")).isTrue();
        assertThat(schemas.has("JsonNode")).isFalse();
        assertThat(docs.toString()).doesNotContain("nodeType");
    }

    /** Nested records share simple names (JobView.Progress, ExperimentView.Progress); each keeps its own schema. */
    @Test
    void recordsWithTheSameSimpleNameAreDocumentedApart() {
        JsonNode schemas = docs.get("components").get("schemas");
        String job = schemas.get("JobView").get("properties").get("progress").get("$ref").asString();
        String experiment = schemas.get("ExperimentView").get("properties").get("progress").get("$ref").asString();
        assertThat(job).isNotEqualTo(experiment);
        assertThat(schemas.get(job.substring(job.lastIndexOf('/') + 1)).get("properties").has("stageCount")).isTrue();
        assertThat(schemas.get(experiment.substring(experiment.lastIndexOf('/') + 1)).get("properties").has("succeeded")).isTrue();
        assertThat(docs.get("paths").has("/api/v1/experiments/{id}/plots/{plot}.{format}")).isTrue();
    }

    private static void collectRefs(JsonNode node, Set<String> refs) {
        if (node.isObject()) {
            node.forEachEntry((name, value) -> {
                if (name.equals("$ref")) {
                    refs.add(value.asString());
                } else {
                    collectRefs(value, refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectRefs(element, refs));
        }
    }
}
