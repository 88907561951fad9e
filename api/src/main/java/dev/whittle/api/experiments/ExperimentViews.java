package dev.whittle.api.experiments;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.experiment.Experiment;
import dev.whittle.persistence.experiment.Experiments;
import dev.whittle.persistence.experiment.Trial;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.jobs.JobView;
import dev.whittle.worker.stage.FieldProblem;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Builds {@link ExperimentView}s: each trial's state from its job, and the progress of them all. */
@Component
class ExperimentViews {

    private final Experiments experiments;
    private final Models models;

    ExperimentViews(Experiments experiments, Models models) {
        this.experiments = experiments;
        this.models = models;
    }

    Optional<ExperimentView> find(UUID id) {
        return experiments.find(id).map(this::of);
    }

    ExperimentView of(Experiment e) {
        List<Trial> trials = experiments.trials(e.id());
        JobView.ModelRef model = e.modelId() == null ? null : models.findById(e.modelId())
                .map(m -> new JobView.ModelRef(m.getId(), m.getName())).orElse(null);
        JsonNode request = e.request();
        List<JsonNode> stages = new ArrayList<>();
        request.path("stages").forEach(stages::add);
        List<ExperimentView.Skipped> skipped = new ArrayList<>();
        request.path("skipped").forEach(s -> skipped.add(new ExperimentView.Skipped(s.get("settings"),
                s.path("problems").valueStream().map(p -> new FieldProblem(p.get("field").asString(),
                        p.get("message").asString())).toList())));
        return new ExperimentView(e.id(), e.name(), e.status(), e.message(), model, stages, request.get("axes"),
                request.get("evaluation"), e.maxParallel(), e.maxFailedTrials(), progress(e, trials, Instant.now()),
                trials.stream().map(t -> trial(e, t)).toList(), skipped, e.createdAt(), e.finishedAt());
    }

    /** What is stored of the request: the template, the axes, the evaluation, and the combinations skipped. */
    static JsonNode stored(ExperimentRequest request, List<ExperimentGrid.Skipped> skipped) {
        var json = JsonMapper.shared().createObjectNode();
        json.set("stages", JsonMapper.shared().valueToTree(request.stages()));
        json.set("axes", JsonMapper.shared().valueToTree(request.axes()));
        json.set("evaluation", request.evaluation());
        json.set("skipped", JsonMapper.shared().valueToTree(skipped));
        return json;
    }

    private static ExperimentView.TrialView trial(Experiment e, Trial t) {
        String status;
        if (!t.submitted()) {
            status = e.status().isFinal() ? "NOT_STARTED" : "PENDING";
        } else if (t.error() != null) {
            status = "REFUSED";
        } else if (t.jobStatus() == null) {
            status = "DELETED";
        } else {
            status = t.jobStatus().name();
        }
        Double percent = t.jobPercent() == null ? null : Math.round(t.jobPercent() * 10) / 10.0;
        return new ExperimentView.TrialView(t.index(), t.baseline(), t.baseline() ? "dense baseline"
                : ExperimentGrid.label(t.settings()), t.baseline() ? null : t.settings(), status, t.jobId(), percent,
                t.error(), t.jobStartedAt(), t.jobFinishedAt());
    }

    /**
     * n of m done, the share of the work done, and the time left: the mean wall time of the trials done (the
     * baseline left out: it evaluates only) times the work left, spread over the parallel slots.
     */
    static ExperimentView.Progress progress(Experiment e, List<Trial> trials, Instant now) {
        int done = 0;
        int succeeded = 0;
        int failed = 0;
        int active = 0;
        int pending = 0;
        double work = 0;
        double wallSum = 0;
        int walls = 0;
        double left = 0;
        for (Trial t : trials) {
            if (t.over()) {
                done++;
                work += 1;
                if (t.succeeded()) {
                    succeeded++;
                } else {
                    failed++;
                }
                if (!t.baseline() && t.succeeded() && t.jobStartedAt() != null && t.jobFinishedAt() != null) {
                    wallSum += Duration.between(t.jobStartedAt(), t.jobFinishedAt()).toMillis() / 1000.0;
                    walls++;
                }
            } else if (t.active()) {
                active++;
                double share = t.jobPercent() == null ? 0 : t.jobPercent() / 100;
                work += share;
                left += 1 - share;
            } else {
                pending++;
                left += 1;
            }
        }
        double percent = trials.isEmpty() ? 100 : Math.round(1000 * work / trials.size()) / 10.0;
        Long remaining = null;
        Instant eta = null;
        if (!e.status().isFinal() && walls > 0) {
            remaining = Math.round(wallSum / walls * left / e.maxParallel());
            eta = now.plusSeconds(remaining);
        }
        return new ExperimentView.Progress(trials.size(), done, succeeded, failed, active, pending, percent, remaining, eta);
    }
}
