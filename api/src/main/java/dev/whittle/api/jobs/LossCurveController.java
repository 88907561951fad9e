package dev.whittle.api.jobs;

import java.util.List;
import java.util.UUID;

import dev.whittle.api.problems.ApiException;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.worker.losscurve.LossCurve;
import dev.whittle.worker.losscurve.LossCurveChart;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * A stage's loss curve, as JSON or drawn server-side as PNG or SVG (by the Accept header). Any stage whose recorded
 * result has a {@code lossCurve} array has one (DISTILL's training loss and validation loss per step); the results
 * are recorded when the job ends.
 */
@RestController
@RequestMapping("/api/v1/jobs/{id}/stages/{index}/loss-curve")
@Tag(name = "Jobs")
@Validated
public class LossCurveController {

    public static final String SVG = "image/svg+xml";
    private static final String DESCRIPTION = """
            The loss per step of stage `index` (0-based, as in the job's result) of a training stage: the `lossCurve` \
            of its result, recorded when the job ends. As JSON (Accept: application/json), or drawn as PNG \
            (Accept: image/png) or SVG (Accept: image/svg+xml). 404 when the job, the stage, or its curve is not there.""";

    /** The JSON form: the stage and its points. */
    public record LossCurveView(UUID jobId, int stageIndex, String type, List<LossCurve.Point> lossCurve) {
    }

    private final Jobs jobs;

    public LossCurveController(Jobs jobs) {
        this.jobs = jobs;
    }

    @Operation(operationId = "getLossCurve", summary = "A stage's loss curve", description = DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "The curve", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE),
            @Content(mediaType = MediaType.IMAGE_PNG_VALUE),
            @Content(mediaType = SVG)})
    @ApiResponse(responseCode = "404", description = "No such job or stage, or the stage has no loss curve",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public LossCurveView json(@PathVariable UUID id, @PathVariable int index) {
        Stage stage = stage(id, index);
        return new LossCurveView(id, index, stage.type(), stage.curve().points());
    }

    @Operation(hidden = true)
    @GetMapping(produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> png(@PathVariable UUID id, @PathVariable int index,
                                      @Parameter(description = "Width of the drawing in pixels") @RequestParam(defaultValue = "800") @Min(100) @Max(4000) int width,
                                      @Parameter(description = "Height of the drawing in pixels") @RequestParam(defaultValue = "480") @Min(100) @Max(4000) int height) {
        Stage stage = stage(id, index);
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                .body(LossCurveChart.png(stage.curve(), stage.title(), width, height));
    }

    @Operation(hidden = true)
    @GetMapping(produces = SVG)
    public ResponseEntity<String> svg(@PathVariable UUID id, @PathVariable int index,
                                      @RequestParam(defaultValue = "800") @Min(100) @Max(4000) int width,
                                      @RequestParam(defaultValue = "480") @Min(100) @Max(4000) int height) {
        Stage stage = stage(id, index);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(SVG))
                .body(LossCurveChart.svg(stage.curve(), stage.title(), width, height));
    }

    /** A stage of a job with its curve. */
    private record Stage(Job job, int index, String type, LossCurve curve) {
        String title() {
            return type + " (stage " + index + ") of job " + job.getId().toString().substring(0, 8);
        }
    }

    private Stage stage(UUID id, int index) {
        Job job = jobs.findById(id).orElseThrow(() -> ApiException.notFound("Job " + id));
        JsonNode stages = job.getRecipe().path("stages");
        if (index < 0 || index >= stages.size()) {
            throw ApiException.notFound("Stage " + index + " of job " + id + " (it has " + stages.size()
                    + " stages, numbered from 0)");
        }
        String type = stages.get(index).path("type").asString();
        JsonNode result = job.getResult() == null ? null : job.getResult().path("stages").path(index).get("result");
        LossCurve curve = LossCurve.of(result).orElseThrow(() -> ApiException.notFound("A loss curve of stage "
                + index + " (" + type + ") of job " + id + " (" + (result == null || result.isNull()
                ? "the stage has no recorded result; results are recorded when the job ends"
                : "its result has no lossCurve") + ")"));
        return new Stage(job, index, type, curve);
    }
}
