package dev.whittle.worker.losscurve;

import dev.whittle.worker.testing.SvgPoints;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a stage result's loss curve, and drawing it as PNG and SVG. */
class LossCurveChartTest {

    private static final LossCurve CURVE = new LossCurve(List.of(new LossCurve.Point(1, 4.0, null),
            new LossCurve.Point(2, 3.5, 3.9), new LossCurve.Point(3, 3.1, null), new LossCurve.Point(4, 2.8, 3.2)));

    @Test
    void aStageResultsLossCurveIsReadWithValidationLossOnlyWhereMeasured() {
        LossCurve read = LossCurve.of(JsonMapper.shared().readTree("""
                {"steps": 4, "lossCurve": [{"step": 1, "loss": 4.0}, {"step": 2, "loss": 3.5, "validationLoss": 3.9},
                 {"step": 3, "loss": 3.1}, {"step": 4, "loss": 2.8, "validationLoss": 3.2}]}""")).orElseThrow();
        assertThat(read).isEqualTo(CURVE);
        assertThat(LossCurve.of(JsonMapper.shared().readTree("{\"steps\": 4}"))).isEmpty();
        assertThatThrownBy(() -> LossCurve.of(JsonMapper.shared().readTree("{\"lossCurve\": [{\"loss\": 1}]}")))
                .hasMessageContaining("lossCurve[0]");
    }

    @Test
    void thePngDecodesAtTheSizeAskedFor() throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(LossCurveChart.png(CURVE, "DISTILL", 640, 360)));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
    }

    @Test
    void theSvgHasAnElementForEveryPointOfEachSeries() {
        String svg = LossCurveChart.svg(CURVE, "DISTILL", 640, 360);
        assertThat(svg).contains("<svg").contains("width='640.0'");
        assertThat(SvgPoints.of(svg)).containsExactlyInAnyOrder(
                new SvgPoints.Drawn(LossCurveChart.TRAINING, 1, 4.0), new SvgPoints.Drawn(LossCurveChart.TRAINING, 2, 3.5),
                new SvgPoints.Drawn(LossCurveChart.TRAINING, 3, 3.1), new SvgPoints.Drawn(LossCurveChart.TRAINING, 4, 2.8),
                new SvgPoints.Drawn(LossCurveChart.VALIDATION, 2, 3.9), new SvgPoints.Drawn(LossCurveChart.VALIDATION, 4, 3.2));
    }
}
