package dev.whittle.api;

import java.util.List;

import dev.whittle.api.jobs.LossCurveController;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.worker.charts.ChartImages;
import dev.whittle.worker.stage.FieldProblem;
import org.jfree.chart.JFreeChart;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** A chart as the response to {@code .../plots/<name>.png} or {@code .svg}. */
public final class ChartResponses {

    private ChartResponses() {
    }

    /** The chart as PNG or SVG; a 404 problem for another format. */
    public static ResponseEntity<?> image(JFreeChart chart, String format, int width, int height) {
        return switch (format) {
            case "png" -> ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(ChartImages.png(chart, width, height));
            case "svg" -> ResponseEntity.ok().contentType(MediaType.parseMediaType(LossCurveController.SVG))
                    .body(ChartImages.svg(chart, width, height));
            default -> throw new ApiException(Problems.NOT_FOUND, "Format '" + format + "' (there are png and svg)",
                    List.of(new FieldProblem("format", "must be png or svg")));
        };
    }
}
