package dev.whittle.api.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.persistence.experiment.Experiment;
import dev.whittle.persistence.experiment.Experiments;
import dev.whittle.persistence.experiment.ExperimentStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * Creates experiments (checked to the last trial, stored with every trial unsubmitted: the scheduler submits them)
 * and cancels them with their trials' jobs.
 */
@Component
class ExperimentSubmission {

    private final RequestReader requests;
    private final ModelCatalog catalog;
    private final ExperimentGrid grid;
    private final Experiments experiments;
    private final ExperimentScheduler scheduler;

    ExperimentSubmission(RequestReader requests, ModelCatalog catalog, ExperimentGrid grid, Experiments experiments,
                         ExperimentScheduler scheduler) {
        this.requests = requests;
        this.catalog = catalog;
        this.grid = grid;
        this.experiments = experiments;
        this.scheduler = scheduler;
    }

    @Transactional
    public Experiment submit(JsonNode body) {
        ExperimentRequest request = requests.readUnvalidated(body, ExperimentRequest.class);
        List<FieldProblem> problems = new ArrayList<>(requests.problems(request));
        Model model = request.model() == null || request.model().isBlank() ? null : catalog.find(request.model()).orElse(null);
        if (model == null && request.model() != null && !request.model().isBlank()) {
            problems.add(new FieldProblem("model", "no model with id or name '" + request.model() + "'"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        UUID id = UUID.randomUUID();
        ExperimentGrid.Grid trials = grid.expand(id, request, model);
        int maxParallel = request.maxParallel() == null ? ExperimentRequest.DEFAULT_MAX_PARALLEL : request.maxParallel();
        int maxFailed = request.maxFailedTrials() == null ? trials.trials().size() : request.maxFailedTrials();
        return experiments.create(id, request.name(), model.getId(), ExperimentViews.stored(request, trials.skipped()),
                maxParallel, maxFailed, trials.trials());
    }

    /** Ends a running experiment as CANCELLED and cancels its queued and running trials; 409 once it ended. */
    @Transactional
    public void cancel(UUID id) {
        Experiment e = experiments.lockForCancel(id).orElseThrow(() -> ApiException.notFound("Experiment " + id));
        if (e.status() != ExperimentStatus.RUNNING) {
            throw new ApiException(Problems.CONFLICT, "Experiment " + id + " already ended (" + e.status()
                    + "); there is nothing to cancel");
        }
        experiments.end(id, ExperimentStatus.CANCELLED, "Cancelled");
        scheduler.cancelActive(experiments.trials(id));
    }
}
