package dev.whittle.api.jobs;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.whittle.api.PageView;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.persistence.job.CancelOutcome;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.jobs.JobView;
import dev.whittle.worker.jobs.JobViews;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.persistence.team.TeamScope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.data.domain.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1/jobs")
@Tag(name = "Jobs", description = "Submit recipes of stages, follow them, cancel them")
@Validated
public class JobsController {

    private final JobSubmission submission;
    private final JobViews views;
    private final Jobs jobs;
    private final JobEvents events;
    private final JobQueue queue;
    private final ModelCatalog catalog;
    private final JobEventStreams streams;
    private final Models models;

    public JobsController(JobSubmission submission, JobViews views, Jobs jobs, JobEvents events, JobQueue queue,
                          ModelCatalog catalog, JobEventStreams streams, Models models) {
        this.models = models;
        this.submission = submission;
        this.views = views;
        this.jobs = jobs;
        this.events = events;
        this.queue = queue;
        this.catalog = catalog;
        this.streams = streams;
    }

    @Operation(operationId = "submitJob", summary = "Submit a job", description = """
            Queues a recipe of stages to run on a registered model and answers 202 with the job and its Location.
            Each stage is validated at submission (unknown types, unknown or ill-typed parameters and out-of-range
            values are refused with 422, naming the field). With an Idempotency-Key header, repeating the same
            request returns the job the first one created; another body under the same key is refused with 422.""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = JobRequest.class),
                    examples = {
                            @ExampleObject(name = "inspect", summary = "Inspect a model",
                                    value = "{\"name\":\"first look\",\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"INSPECT\"}]}"),
                            @ExampleObject(name = "wanda 50%", summary = "Wanda to 50% sparsity, then evaluate",
                                    value = "{\"model\":\"whittle-ref\",\"output\":{\"name\":\"whittle-ref-wanda50\"},"
                                            + "\"stages\":[{\"type\":\"PRUNE\",\"method\":\"wanda\",\"sparsity\":0.5},"
                                            + "{\"type\":\"EVALUATE\",\"suite\":\"kick\",\"limit\":20}]}"),
                            @ExampleObject(name = "sparsegpt 2:4", summary = "SparseGPT 2:4, calibrated on a dataset",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"PRUNE\",\"method\":\"sparsegpt\","
                                            + "\"nm\":\"2:4\",\"calibration\":{\"dataset\":\"my-text\",\"nsamples\":64,\"seqlen\":256}}]}"),
                            @ExampleObject(name = "block removal", summary = "Remove the 2 blocks that change the hidden state least",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"PRUNE\",\"method\":\"block-removal\","
                                            + "\"blocks\":2,\"metric\":\"angular-distance\"}]}"),
                            @ExampleObject(name = "width", summary = "Remove half the MLP channels and a quarter of the heads, then evaluate",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"PRUNE\",\"method\":\"width\","
                                            + "\"mlpRatio\":0.5,\"headRatio\":0.25},{\"type\":\"EVALUATE\",\"suite\":\"kick\",\"limit\":20}]}"),
                            @ExampleObject(name = "evaluate", summary = "Evaluate the reference model on two tasks",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"EVALUATE\","
                                            + "\"tasks\":[\"ref-multiple-choice\",\"ref-closed-book-qa\"],\"limit\":50}]}"),
                            @ExampleObject(name = "labels and callback", summary = "With labels and a callback",
                                    value = "{\"model\":\"whittle-ref\",\"stages\":[{\"type\":\"INSPECT\"}],"
                                            + "\"labels\":{\"team\":\"nlp\"},\"callbackUrl\":\"http://127.0.0.1:9000/hook\"}")})))
    @ApiResponse(responseCode = "202", description = "Queued (or, with a reused Idempotency-Key, the earlier job)",
            content = @Content(schema = @Schema(implementation = JobView.class), examples = @ExampleObject(name = "queued",
                    value = "{\"id\":\"0f8e6c1e-3d0a-4f51-9a57-2b1c5e7d9a10\",\"status\":\"QUEUED\","
                            + "\"model\":{\"id\":\"5b2f0c3a-8e41-4d7b-b1a9-6c0d2e9f4a31\",\"name\":\"whittle-ref\"},"
                            + "\"stages\":[{\"type\":\"PRUNE\",\"method\":\"wanda\",\"sparsity\":0.5,\"include\":[],"
                            + "\"exclude\":[],\"calibration\":{\"builtIn\":\"natural-english\",\"field\":\"text\","
                            + "\"nsamples\":128,\"seqlen\":2048,\"seed\":0}},{\"type\":\"EVALUATE\",\"suite\":\"kick\","
                            + "\"limit\":20,\"tasks\":[],\"batchSize\":8,\"keepSamples\":true}],\"labels\":{},"
                            + "\"progress\":{\"stageCount\":2},\"attempt\":0,\"maxAttempts\":3,"
                            + "\"createdAt\":\"2026-01-05T10:00:00Z\",\"output\":{\"name\":\"whittle-ref-wanda50\"}}")))
    @ApiResponse(responseCode = "422", description = "Invalid job; the problem lists each offending field",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<JobView> submit(
            @RequestBody JsonNode body,
            @Parameter(description = "Makes retries of this request safe: the same key and body give the same job")
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        JobSubmission.Submitted submitted = submission.submit(body, idempotencyKey);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/v1/jobs/" + submitted.job().getId()));
        if (submitted.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(views.of(submitted.job(), submitted.model()));
    }

    @Operation(operationId = "listJobs", summary = "List jobs", description = "Newest first, filtered by status, stage type, model and labels. "
            + "Results are left out (GET the job for its result).")
    @GetMapping
    public PageView<JobView> list(
            @RequestParam(required = false) JobStatus status,
            @Parameter(description = "Only jobs whose recipe has a stage of this type", example = "INSPECT")
            @RequestParam(required = false) String stageType,
            @Parameter(description = "Only jobs on this model (id or name)") @RequestParam(required = false) String model,
            @Parameter(description = "Only jobs with this label, as key:value (repeatable)", example = "team:nlp")
            @RequestParam(required = false) List<String> label,
            @RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        UUID modelId = null;
        if (model != null) {
            modelId = catalog.find(model).map(Model::getId)
                    .orElseThrow(() -> new ApiException(Problems.BAD_PARAMETER, "No model with id or name '" + model + "'",
                            List.of(new FieldProblem("model", "unknown model"))));
        }
        String labels = null;
        if (label != null && !label.isEmpty()) {
            var json = JsonMapper.shared().createObjectNode();
            List<FieldProblem> problems = new ArrayList<>();
            for (String l : label) {
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    problems.add(new FieldProblem("label", "'" + l + "' is not key:value"));
                } else {
                    json.put(l.substring(0, colon), l.substring(colon + 1));
                }
            }
            if (!problems.isEmpty()) {
                throw new ApiException(Problems.BAD_PARAMETER, "label filters are key:value", problems);
            }
            labels = json.toString();
        }
        return PageView.ofAll(jobs.search(status == null ? null : status.name(), modelId, stageType, labels, TeamScope.filter(),
                PageRequest.of(page, size)), items -> views.of(items).stream().map(JobView::withoutResult).toList());
    }

    @Operation(operationId = "getJob", summary = "Get a job", description = "Its status, progress (stage, units, percent, ETA), and once it succeeded its result.")
    @GetMapping("/{id}")
    public JobView get(@PathVariable UUID id) {
        return views.find(id).orElseThrow(() -> ApiException.notFound("Job " + id));
    }

    @Operation(operationId = "cancelJob", summary = "Cancel a job", description = """
            A queued job is cancelled at once; a running one becomes CANCELLING and its worker stops at the next unit
            of work (tensor, layer, batch), removes partial outputs and marks it CANCELLED. 409 when it already ended.""")
    @ApiResponse(responseCode = "202", description = "Cancelled, or cancelling")
    @ApiResponse(responseCode = "409", description = "The job already ended", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping("/{id}/cancel")
    public ResponseEntity<JobView> cancel(@PathVariable UUID id) {
        CancelOutcome outcome = queue.requestCancel(id);
        return switch (outcome) {
            case NOT_FOUND -> throw ApiException.notFound("Job " + id);
            case ALREADY_FINISHED -> throw new ApiException(Problems.CONFLICT, "Job " + id + " already ended ("
                    + queue.status(id).map(Enum::name).orElse("?") + "); there is nothing to cancel");
            case CANCELLED, CANCELLING -> ResponseEntity.status(HttpStatus.ACCEPTED).body(get(id));
        };
    }

    @Operation(operationId = "deleteJob", summary = "Delete an ended job", description = """
            Removes a job that has ended (SUCCEEDED, FAILED or CANCELLED) with its events; the evaluations it made
            keep their results. 409 while it has not ended (cancel it first), or while the model it wrote is
            registered (delete the model first: the job is that model's record of how it was made).""")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "The job has not ended, or the model it wrote is still registered")
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable UUID id) {
        Job job = jobs.findById(id).orElseThrow(() -> ApiException.notFound("Job " + id));
        if (!job.getStatus().isFinal()) {
            throw new ApiException(Problems.CONFLICT, "Job " + id + " has not ended (" + job.getStatus()
                    + "); cancel it first");
        }
        List<Model> written = models.findByProducingJobId(id);
        if (!written.isEmpty()) {
            throw new ApiException(Problems.CONFLICT, "Job " + id + " wrote model '" + written.getFirst().getName()
                    + "', which is still registered; delete the model first");
        }
        jobs.deleteById(id);
        return ResponseEntity.noContent().build();
    }

    @Operation(operationId = "listJobEvents", summary = "A job's events", description = "Its log, oldest first: state changes, stages, progress, callback deliveries.")
    @GetMapping("/{id}/events")
    public PageView<EventView> events(@PathVariable UUID id,
                                      @RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
        requireJob(id);
        return PageView.of(events.findByJobIdOrderByIdAsc(id, PageRequest.of(page, size)), EventView::of);
    }

    @Operation(operationId = "streamJobEvents", summary = "Stream a job's events", description = """
            Server-Sent Events: every event so far, then each new one as it happens; the stream ends when the job
            ends. Event ids are the events' ids: reconnect with Last-Event-ID to resume.""")
    @GetMapping(path = "/{id}/events/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter stream(@PathVariable UUID id,
                             @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventId) {
        requireJob(id);
        return streams.open(id, lastEventId == null ? 0 : lastEventId);
    }

    private void requireJob(UUID id) {
        if (!jobs.existsById(id)) {
            throw ApiException.notFound("Job " + id);
        }
    }
}
