package dev.whittle.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.worker.testing.SvgPoints;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class ModelSparsityPlotTest {

    @LocalServerPort
    int port;

    /**
     * Magnitude pruning at 50% per matrix zeroes exactly half of every (even-sized) block matrix, so each kind in each
     * layer, and each whole block, is drawn at 0.5; the random dense model has no zero weight, so it is drawn at 0.
     */
    @Test
    void theSparsityPlotDrawsEachLayersZeroShareOfEveryKindOfMatrix() {
        Api api = new Api(port);
        String dense = TestModelFolders.registerLlama(api).get("id").asString();
        Api.Response submitted = api.post("/api/v1/jobs", "{\"model\":\"" + dense + "\",\"stages\":[{\"type\":\"PRUNE\","
                + "\"method\":\"magnitude\",\"sparsity\":0.5}]}");
        JsonNode job = api.poll(submitted.header("Location"), j -> j.get("status").asString().matches("SUCCEEDED|FAILED"),
                Duration.ofSeconds(120));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        String pruned = job.get("outputModel").get("id").asString();

        int layers = TestModels.options().layers();
        Set<String> kinds = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", LayerSparsity.BLOCK);
        for (var model : List.of(new Object[]{dense, 0.0}, new Object[]{pruned, 0.5})) {
            Api.Response svg = api.get("/api/v1/models/" + model[0] + "/plots/sparsity.svg");
            assertThat(svg.header("Content-Type")).startsWith("image/svg+xml");
            List<JsonNode> points = SvgPoints.refs(svg.body()).stream().distinct().toList();
            assertThat(points.stream().map(p -> p.get("series").asString()).collect(Collectors.toSet())).isEqualTo(kinds);
            assertThat(points).hasSize(kinds.size() * layers);
            assertThat(points).allSatisfy(p -> assertThat(p.get("sparsity").asDouble()).isEqualTo((double) model[1]));
        }
        assertThat(api.get("/api/v1/models/" + dense + "/plots/sparsity.gif").status()).isEqualTo(404);
    }
}
