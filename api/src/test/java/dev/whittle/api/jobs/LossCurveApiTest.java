package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.imageio.ImageIO;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.worker.losscurve.LossCurveChart;
import dev.whittle.worker.testing.SvgPoints;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GET /jobs/{id}/stages/{index}/loss-curve: a stage's stored {@code lossCurve} as JSON, PNG and SVG; 404 for a stage
 * without one. The curve comes from the LOSS_CURVE test stage, whose result is the series it is given.
 */
@ApiTest
class LossCurveApiTest {

    private static final String SERIES = """
            [{"step": 1, "loss": 5.25}, {"step": 2, "loss": 4.5, "validationLoss": 4.75},
             {"step": 3, "loss": 3.875}, {"step": 4, "loss": 3.5, "validationLoss": 3.625}]""";

    @LocalServerPort
    int port;
    Api api;
    String job;

    @BeforeEach
    void runAJobWithACurve() {
        api = new Api(port);
        String model = TestModelFolders.registerLlama(api).get("id").asString();
        Api.Response r = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"},"
                + "{\"type\":\"LOSS_CURVE\",\"lossCurve\":" + SERIES + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        job = r.json().get("id").asString();
        JsonNode done = api.poll("/api/v1/jobs/" + job, j -> j.get("status").asString().equals("SUCCEEDED")
                || j.get("status").asString().equals("FAILED"), Duration.ofSeconds(60));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    }

    private String path(int index) {
        return "/api/v1/jobs/" + job + "/stages/" + index + "/loss-curve";
    }

    @Test
    void theJsonIsTheStoredSeries() {
        Api.Response r = api.get(path(1), "Accept", "application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("lossCurve")).isEqualTo(JsonMapper.shared().readTree(SERIES));
        assertThat(r.json().get("type").asString()).isEqualTo("LOSS_CURVE");
        assertThat(api.get(path(1)).json().get("lossCurve")).as("JSON without an Accept header")
                .isEqualTo(JsonMapper.shared().readTree(SERIES));
    }

    @Test
    void thePngDecodesAtTheSizeAskedFor() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(api.builder(path(1) + "?width=640&height=400",
                "Accept", "image/png").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(400);
    }

    @Test
    void theSvgDrawsEveryPointOfBothSeries() {
        Api.Response r = api.get(path(1), "Accept", "image/svg+xml");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(SvgPoints.of(r.body())).containsExactlyInAnyOrder(
                new SvgPoints.Drawn(LossCurveChart.TRAINING, 1, 5.25), new SvgPoints.Drawn(LossCurveChart.TRAINING, 2, 4.5),
                new SvgPoints.Drawn(LossCurveChart.TRAINING, 3, 3.875), new SvgPoints.Drawn(LossCurveChart.TRAINING, 4, 3.5),
                new SvgPoints.Drawn(LossCurveChart.VALIDATION, 2, 4.75), new SvgPoints.Drawn(LossCurveChart.VALIDATION, 4, 3.625));
    }

    @Test
    void aStageWithoutALossCurveOrBeyondTheRecipeIsANotFoundProblem() {
        for (String accept : new String[] {"application/json", "image/png"}) {
            Api.Response r = api.get(path(0), "Accept", accept);
            assertThat(r.status()).as(accept).isEqualTo(404);
            assertThat(r.header("Content-Type")).as(accept).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asString()).contains("INSPECT").contains("no lossCurve");
        }
        assertThat(api.get(path(2)).status()).isEqualTo(404);
    }
}
