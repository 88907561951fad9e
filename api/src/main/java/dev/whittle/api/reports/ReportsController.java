package dev.whittle.api.reports;

import java.util.List;

import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/reports")
@Tag(name = "Reports", description = "Comparisons of models across evaluation tasks")
public class ReportsController {

    public static final MediaType MARKDOWN = MediaType.parseMediaType("text/markdown;charset=UTF-8");
    public static final MediaType CSV = MediaType.parseMediaType("text/csv;charset=UTF-8");

    private final Comparisons comparisons;

    public ReportsController(Comparisons comparisons) {
        this.comparisons = comparisons;
    }

    @Operation(operationId = "compareModels", summary = "Compare models", description = """
            models=a,b,c (ids or names; the first is the reference, normally the dense model): for every task any of
            them was evaluated on, each model's latest headline metric with its standard error and its retention
            against the reference (same task version, limit and seed only), plus each model's parameters, non-zero
            linear weights, sparsity and MACs per token. The average retention leaves out the tasks on which the
            reference scores no better than chance (1/k on a k-way choice) or zero, within two standard errors, and
            names them with the reason; `warnings` says where a sample limit leaves a retention's standard error
            larger than its distance from 1. As JSON, a Markdown table or CSV: by `format`, else by the Accept header.""")
    @ApiResponse(responseCode = "200", description = "The comparison", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ComparisonView.class)),
            @Content(mediaType = "text/markdown", schema = @Schema(type = "string")),
            @Content(mediaType = "text/csv", schema = @Schema(type = "string"))})
    @GetMapping(value = "/compare", produces = {MediaType.APPLICATION_JSON_VALUE, "text/markdown", "text/csv"})
    public ResponseEntity<?> compare(
            @Parameter(description = "Models by id or name, comma-separated; the first is the reference", example = "whittle-ref,whittle-ref-wanda")
            @RequestParam List<String> models,
            @Parameter(description = "json, md or csv; overrides the Accept header", schema = @Schema(allowableValues = {"json", "md", "csv"}))
            @RequestParam(required = false) String format,
            @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        if (models.isEmpty() || models.size() > 20) {
            throw new ApiException(Problems.BAD_PARAMETER, "models: give 1 to 20 models, comma-separated");
        }
        MediaType type = negotiate(format, accept);
        ComparisonView comparison = comparisons.compare(models);
        if (type.equalsTypeAndSubtype(MARKDOWN)) {
            return ResponseEntity.ok().contentType(MARKDOWN).body(ComparisonTables.markdown(comparison));
        }
        if (type.equalsTypeAndSubtype(CSV)) {
            return ResponseEntity.ok().contentType(CSV).body(ComparisonTables.csv(comparison));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(comparison);
    }

    /** JSON, Markdown or CSV: as {@code format} (json, md, csv) says, else as the Accept header prefers. */
    public static MediaType negotiate(String format, String accept) {
        return format != null ? byFormat(format) : byAccept(accept);
    }

    private static MediaType byFormat(String format) {
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "json" -> MediaType.APPLICATION_JSON;
            case "md", "markdown" -> MARKDOWN;
            case "csv" -> CSV;
            default -> throw new ApiException(Problems.BAD_PARAMETER, "format: json, md or csv, got '" + format + "'",
                    List.of(new dev.whittle.worker.stage.FieldProblem("format", "must be json, md or csv")));
        };
    }

    /** The first of JSON, Markdown and CSV the Accept header prefers (by quality); JSON when it names none. */
    private static MediaType byAccept(String accept) {
        if (accept == null || accept.isBlank()) {
            return MediaType.APPLICATION_JSON;
        }
        List<MediaType> accepted = new java.util.ArrayList<>(MediaType.parseMediaTypes(accept));
        accepted.sort(java.util.Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        for (MediaType candidate : accepted) {
            for (MediaType offered : List.of(MediaType.APPLICATION_JSON, MARKDOWN, CSV)) {
                if (candidate.getQualityValue() > 0 && candidate.includes(offered) && !candidate.isWildcardType()) {
                    return offered;
                }
            }
            if (candidate.isWildcardType()) {
                return MediaType.APPLICATION_JSON;
            }
        }
        return MediaType.APPLICATION_JSON;
    }
}
