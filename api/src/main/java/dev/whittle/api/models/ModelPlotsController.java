package dev.whittle.api.models;

import java.io.IOException;
import java.nio.file.Path;

import dev.whittle.api.ChartResponses;
import dev.whittle.api.jobs.LossCurveController;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.engine.Progress;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.models.ModelCatalog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
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

@RestController
@RequestMapping("/api/v1/models/{id}/plots")
@Tag(name = "Models")
@Validated
public class ModelPlotsController {

    private final ModelCatalog catalog;

    public ModelPlotsController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Operation(operationId = "plotModelSparsity", summary = "A model's sparsity per layer", description = """
            Reads the model's weights and draws the zero share of each decoder block's linear weights: a line per kind
            of matrix (q_proj, ..., down_proj; a Mixture-of-Experts layer's experts of a kind together) and one for the
            whole block. As `png` or `svg`; in SVG every point is a group whose jfreesvg:ref holds its numbers.""")
    @ApiResponse(responseCode = "200", description = "The drawing", content = {
            @Content(mediaType = MediaType.IMAGE_PNG_VALUE, schema = @Schema(type = "string", format = "binary")),
            @Content(mediaType = LossCurveController.SVG, schema = @Schema(type = "string"))})
    @ApiResponse(responseCode = "404", description = "No such model or format", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "409", description = "The model's files no longer read", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping(value = "/sparsity.{format}", produces = {MediaType.IMAGE_PNG_VALUE, LossCurveController.SVG})
    public ResponseEntity<?> sparsity(
            @Parameter(description = "Model id or name") @PathVariable String id,
            @Parameter(schema = @Schema(allowableValues = {"png", "svg"})) @PathVariable String format,
            @Parameter(description = "Width of the drawing in pixels") @RequestParam(defaultValue = "900") @Min(100) @Max(4000) int width,
            @Parameter(description = "Height of the drawing in pixels") @RequestParam(defaultValue = "480") @Min(100) @Max(4000) int height) {
        Model model = catalog.find(id).orElseThrow(() -> ApiException.notFound("Model '" + id + "'"));
        LayerSparsity sparsity;
        try {
            sparsity = LayerSparsity.of(DecoderLoader.load(Path.of(model.getPath()), Progress.NONE));
        } catch (IOException | RuntimeException unreadable) {
            throw new ApiException(Problems.CONFLICT, "The files of model '" + model.getName() + "' do not read: "
                    + unreadable.getMessage());
        }
        return ChartResponses.image(sparsity.chart(model.getName() + ": sparsity per layer"), format, width, height);
    }
}
