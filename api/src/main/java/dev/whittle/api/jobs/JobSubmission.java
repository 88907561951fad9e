package dev.whittle.api.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.job.JobRows;
import dev.whittle.persistence.model.ModelFolder;
import dev.whittle.persistence.model.ModelName;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.worker.jobs.JobOutput;
import dev.whittle.worker.callback.CallbackPolicy;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.queue.WorkerProperties;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageTypes;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a job request and queues it. Every problem found is reported at its field path; the recipe is
 * stored with each stage's parameters complete. With an idempotency key, the same request returns the job
 * the first one created, and another request under the same key is refused. Keys are per team: another team's
 * use of a key is neither seen nor in the way.
 */
@Component
public class JobSubmission {

    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    private static final int MAX_LABEL_VALUE = 255;
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final StageTypes stageTypes;
    private final RequestReader requests;
    private final ModelCatalog catalog;
    private final Jobs jobs;
    private final JobRows rows;
    private final CallbackPolicy callbacks;
    private final WorkerProperties workerSettings;

    public JobSubmission(StageTypes stageTypes, RequestReader requests, ModelCatalog catalog, Jobs jobs, JobRows rows,
                         CallbackPolicy callbacks, WorkerProperties workerSettings) {
        this.rows = rows;
        this.stageTypes = stageTypes;
        this.requests = requests;
        this.catalog = catalog;
        this.jobs = jobs;
        this.callbacks = callbacks;
        this.workerSettings = workerSettings;
    }

    /**
     * The job, and whether it was created by an earlier request with the same idempotency key; {@code model} is the
     * job's model as the checks found it (for the answer, without reading it again), null for a replay.
     */
    public record Submitted(Job job, ModelName model, boolean replayed) {
    }

    public Submitted submit(JsonNode body, String idempotencyKey) {
        JobRequest request = requests.readUnvalidated(body, JobRequest.class);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw new ApiException(Problems.BAD_PARAMETER, "The Idempotency-Key header must be 1 to "
                    + MAX_IDEMPOTENCY_KEY + " characters", List.of(new FieldProblem("Idempotency-Key", "invalid")));
        }
        String requestHash = sha256(canonical(body));
        if (idempotencyKey != null) {
            Optional<Job> earlier = jobs.findByOwnerTeamAndIdempotencyKey(TeamScope.owner(), idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), idempotencyKey, requestHash);
            }
        }
        Checked checked = check(request);
        List<RecipeStage> stages = checked.stages();
        ModelFolder model = checked.model();
        Map<String, String> labels = checked.labels();
        String outputName = checked.outputName();
        ObjectNode recipe = JsonMapper.shared().createObjectNode();
        ArrayNode recorded = recipe.putArray("stages");
        stages.forEach(s -> recorded.add(StageTypes.toJson(s)));
        if (outputName != null) {
            recipe.putObject(JobOutput.FIELD).put("name", outputName);
        }
        int maxAttempts = request.maxAttempts() == null ? workerSettings.maxAttempts() : request.maxAttempts();
        Job job = new Job(request.name(), model.id(), recipe, stages.size(), labels, request.callbackUrl(),
                maxAttempts, idempotencyKey, requestHash);
        try {
            return new Submitted(rows.insert(job), model.asName(), false);
        } catch (DataIntegrityViolationException e) {
            // Another request with the same key won the race.
            Job earlier = idempotencyKey == null ? null : jobs.findByOwnerTeamAndIdempotencyKey(TeamScope.owner(), idempotencyKey).orElse(null);
            if (earlier == null) {
                throw e;
            }
            return replay(earlier, idempotencyKey, requestHash);
        }
    }

    /**
     * What is wrong with a job request, as {@link #submit} would refuse it (each problem at its field path); empty when
     * it would be queued. Submits nothing: for requests made on a user's behalf (an experiment's trials) that are
     * checked before any is submitted.
     */
    public List<FieldProblem> problems(JsonNode body) {
        try {
            check(requests.readUnvalidated(body, JobRequest.class));
            return List.of();
        } catch (InvalidRequestException e) {
            return e.problems();
        }
    }

    /** A request that passed every check, with what the checks resolved. */
    private record Checked(ModelFolder model, List<RecipeStage> stages, Map<String, String> labels, String outputName) {
    }

    private Checked check(JobRequest request) {
        List<FieldProblem> problems = new ArrayList<>(requests.problems(request));
        boolean modelNamed = request.model() != null && !request.model().isBlank();
        ModelFolder model = modelNamed ? catalog.findFolder(request.model()).orElse(null) : null;
        List<RecipeStage> stages = List.of();
        if (request.stages() != null && !request.stages().isEmpty()) {
            try {
                stages = stageTypes.parse(JsonMapper.shared().valueToTree(request.stages()), "stages", configOf(model),
                        model == null ? null : Path.of(model.path()));
            } catch (InvalidRequestException e) {
                problems.addAll(e.problems());
            }
        }
        if (modelNamed && model == null) {
            problems.add(new FieldProblem("model", "no model with id or name '" + request.model() + "'"));
        }
        Map<String, String> labels = request.labels() == null ? Map.of() : request.labels();
        labels.forEach((key, value) -> {
            if (!LABEL_KEY.matcher(key).matches()) {
                problems.add(new FieldProblem("labels." + key, "label keys are 1-63 letters, digits and . _ / - (starting with a letter or digit)"));
            } else if (value == null || value.length() > MAX_LABEL_VALUE) {
                problems.add(new FieldProblem("labels." + key, "label values are strings of at most " + MAX_LABEL_VALUE + " characters"));
            }
        });
        if (request.callbackUrl() != null) {
            callbacks.problem(request.callbackUrl()).ifPresent(p -> problems.add(new FieldProblem("callbackUrl", p)));
        }
        String outputName = request.output() == null ? null : request.output().name();
        if (outputName != null && catalog.nameTaken(outputName)) {
            problems.add(new FieldProblem("output.name", "a model named '" + outputName + "' is already registered"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new Checked(model, stages, labels, outputName);
    }

    /**
     * The config of the job's model, for the checks of its first stage against it; null when there is no model or
     * its config no longer reads (the stage then checks its input when it starts).
     */
    private static ModelConfig configOf(ModelFolder model) {
        if (model == null) {
            return null;
        }
        try {
            return ModelConfig.load(Path.of(model.path()));
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private Submitted replay(Job earlier, String key, String requestHash) {
        if (!earlier.getRequestHash().equals(requestHash)) {
            throw new ApiException(Problems.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + key + "' was used for job "
                    + earlier.getId() + " with a different request body; use a new key for a new job",
                    List.of(new FieldProblem("Idempotency-Key", "already used with a different body")));
        }
        return new Submitted(earlier, null, true);
    }

    /** The body with object keys sorted at every level: equal for requests that differ only in order and spacing. */
    static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = JsonMapper.shared().createObjectNode();
            node.propertyNames().stream().sorted().forEach(name -> sorted.set(name, canonical(node.get(name))));
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode array = JsonMapper.shared().createArrayNode();
            node.forEach(element -> array.add(canonical(element)));
            return array;
        }
        return node;
    }

    private static String sha256(JsonNode node) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(node.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
