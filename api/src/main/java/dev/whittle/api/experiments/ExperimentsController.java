package dev.whittle.api.experiments;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.whittle.api.ChartResponses;
import dev.whittle.api.PageView;
import dev.whittle.api.jobs.LossCurveController;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.reports.ReportsController;
import dev.whittle.persistence.experiment.Experiments;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jfree.chart.JFreeChart;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1/experiments")
@Tag(name = "Experiments", description = "Sweeps: a grid of trials over methods, sparsities and patterns, with "
        + "results tables, Pareto fronts and plots")
@Validated
public class ExperimentsController {

    private static final String EXAMPLE = "{\"name\":\"kick sweep\",\"model\":\"whittle-ref\","
            + "\"stages\":[{\"type\":\"PRUNE\",\"method\":\"magnitude\"}],"
            + "\"axes\":{\"method\":[\"magnitude\",\"wanda\",\"sparsegpt\"],\"sparsity\":[0.3,0.5,0.7],\"nm\":[null,\"2:4\"]},"
            + "\"evaluation\":{\"tasks\":[\"ref-multiple-choice\",\"ref-closed-book-qa\"],\"limit\":20},"
            + "\"maxParallel\":2,\"maxFailedTrials\":3}";

    private final ExperimentSubmission submission;
    private final ExperimentViews views;
    private final Experiments experiments;
    private final ExperimentResults results;

    public ExperimentsController(ExperimentSubmission submission, ExperimentViews views, Experiments experiments,
                                 ExperimentResults results) {
        this.submission = submission;
        this.views = views;
        this.experiments = experiments;
        this.results = results;
    }

    @Operation(operationId = "submitExperiment", summary = "Start an experiment", description = """
            Expands the template into a trial per combination of the axes' values, each an ordinary job (the template's
            stages, then EVALUATE) that the experiment owns (labels experiment=<id>, trial=<n>), plus trial 0, the
            dense baseline: the evaluation of the model itself, run first and once; every other trial's EVALUATE
            compares with it and reuses its results. At most maxParallel trials are queued or running at once. Every
            trial is checked as a job submission would be: combinations the stages refuse (sparsity 0.3 with nm 2:4)
            are skipped and listed under `skipped`, but a value that no combination can use is refused with 422 at its
            path (axes.sparsity[2]). Answers 201 with the experiment and its Location.""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = ExperimentRequest.class),
                    examples = {@ExampleObject(name = "3 methods x 3 sparsities x 2 patterns", value = EXAMPLE),
                            @ExampleObject(name = "prune then distill", summary = "Each trial prunes, then recovers with DISTILL",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"PRUNE\",\"method\":\"wanda\"},"
                                            + "{\"type\":\"DISTILL\",\"steps\":50}],\"axes\":{\"sparsity\":[0.5,0.7],"
                                            + "\"1.steps\":[0,50]},\"evaluation\":{\"suite\":\"kick\",\"limit\":10}}")})))
    @ApiResponse(responseCode = "201", description = "Created; its trials start as slots free up",
            content = @Content(schema = @Schema(implementation = ExperimentView.class)))
    @ApiResponse(responseCode = "422", description = "Invalid experiment; the problem lists each offending field",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<ExperimentView> submit(@RequestBody JsonNode body) {
        var experiment = submission.submit(body);
        return ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/api/v1/experiments/" + experiment.id()))
                .body(views.of(experiment));
    }

    @Operation(operationId = "listExperiments", summary = "List experiments", description = "Newest first, each with its trials and progress.")
    @GetMapping
    public PageView<ExperimentView> list(@RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                         @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        long total = experiments.count();
        List<ExperimentView> items = experiments.page(page, size).stream().map(views::of).toList();
        return new PageView<>(items, page, size, total, (int) ((total + size - 1) / size));
    }

    @Operation(operationId = "getExperiment", summary = "Get an experiment", description = """
            Its trials (status, job, progress) and the aggregate: n of m done, the share of the work done, and the
            remaining time from the mean wall time of the trials done so far.""")
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping("/{id}")
    public ExperimentView get(@PathVariable UUID id) {
        return views.find(id).orElseThrow(() -> ApiException.notFound("Experiment " + id));
    }

    @Operation(operationId = "cancelExperiment", summary = "Cancel an experiment", description = """
            Ends it as CANCELLED: trials not yet submitted never start, queued ones are cancelled at once and running
            ones stop at their next unit of work. 409 when it already ended.""")
    @ApiResponse(responseCode = "202", description = "Cancelled; running trials are stopping")
    @ApiResponse(responseCode = "409", description = "The experiment already ended", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping("/{id}/cancel")
    public ResponseEntity<ExperimentView> cancel(@PathVariable UUID id) {
        submission.cancel(id);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(get(id));
    }

    @Operation(operationId = "getExperimentResults", summary = "An experiment's results", description = """
            A row per succeeded trial and task (the headline metric with its standard error, the retention against the
            dense baseline), a summary per trial (average retention, measured sparsity of the decoder blocks,
            parameters, non-zero linear weights, MACs per token, size of the model written, wall time), and the
            Pareto front of average retention against `cost` (macs or size). As JSON, a Markdown table (a row per
            trial, a retention column per task) or CSV (a row per trial and task): by `format`, else by Accept.""")
    @ApiResponse(responseCode = "200", description = "The results so far", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ResultsView.class)),
            @Content(mediaType = "text/markdown", schema = @Schema(type = "string")),
            @Content(mediaType = "text/csv", schema = @Schema(type = "string"))})
    @ApiResponse(responseCode = "400", description = "Unknown format or cost", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "404", description = "No such experiment", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping(value = "/{id}/results", produces = {MediaType.APPLICATION_JSON_VALUE, "text/markdown", "text/csv"})
    public ResponseEntity<?> results(
            @PathVariable UUID id,
            @Parameter(description = "What the Pareto front trades retention against", schema = @Schema(allowableValues = {"macs", "size"}))
            @RequestParam(defaultValue = "macs") String cost,
            @Parameter(description = "json, md or csv; overrides the Accept header", schema = @Schema(allowableValues = {"json", "md", "csv"}))
            @RequestParam(required = false) String format,
            @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        MediaType type = ReportsController.negotiate(format, accept);
        ResultsView view = results.of(id, ExperimentResults.Cost.parse(cost));
        if (type.equalsTypeAndSubtype(ReportsController.MARKDOWN)) {
            return ResponseEntity.ok().contentType(ReportsController.MARKDOWN).body(ResultsTables.markdown(view));
        }
        if (type.equalsTypeAndSubtype(ReportsController.CSV)) {
            return ResponseEntity.ok().contentType(ReportsController.CSV).body(ResultsTables.csv(view));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(view);
    }

    @Operation(operationId = "plotExperiment", summary = "An experiment's plots", description = """
            Drawn from its results: `retention` is retention against the measured sparsity of the decoder blocks, a
            line per setting of the other axes (the method), a panel per task (the LLM-KICK figure); `pareto` is each
            trial's average retention against `cost` (macs or size) with the front as a line. As `png` or `svg`; in
            SVG every point is a group whose jfreesvg:ref attribute holds its numbers.""")
    @ApiResponse(responseCode = "200", description = "The drawing", content = {
            @Content(mediaType = MediaType.IMAGE_PNG_VALUE, schema = @Schema(type = "string", format = "binary")),
            @Content(mediaType = LossCurveController.SVG, schema = @Schema(type = "string"))})
    @ApiResponse(responseCode = "400", description = "Unknown cost", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "404", description = "No such experiment or plot", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping(value = "/{id}/plots/{plot}.{format}", produces = {MediaType.IMAGE_PNG_VALUE, LossCurveController.SVG})
    public ResponseEntity<?> plot(
            @PathVariable UUID id,
            @Parameter(schema = @Schema(allowableValues = {"retention", "pareto"})) @PathVariable String plot,
            @Parameter(schema = @Schema(allowableValues = {"png", "svg"})) @PathVariable String format,
            @RequestParam(defaultValue = "macs") String cost,
            @Parameter(description = "Width of the drawing in pixels") @RequestParam(defaultValue = "900") @Min(100) @Max(4000) int width,
            @Parameter(description = "Height of the drawing in pixels; default 300 per task panel for retention, 500 for pareto")
            @RequestParam(required = false) @Min(100) @Max(4000) Integer height) {
        ExperimentResults.Cost costOf = ExperimentResults.Cost.parse(cost);
        ResultsView view = results.of(id, costOf);
        String name = experiments.find(id).map(e -> e.name() == null ? "experiment " + id.toString().substring(0, 8) : e.name())
                .orElseThrow();
        JFreeChart chart;
        int h;
        switch (plot) {
            case "retention" -> {
                chart = ExperimentCharts.retention(view, name + ": retention against sparsity");
                h = height != null ? height : Math.min(4000, 120 + 260 * Math.max(1, view.tasks().size()));
            }
            case "pareto" -> {
                chart = ExperimentCharts.pareto(view, costOf, name + ": Pareto front");
                h = height != null ? height : 500;
            }
            default -> throw ApiException.notFound("Plot '" + plot + "' (there are retention and pareto)");
        }
        return ChartResponses.image(chart, format, width, h);
    }
}
