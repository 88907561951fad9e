package dev.whittle.api.experiments;

import java.util.List;
import java.util.UUID;

import dev.whittle.api.jobs.JobSubmission;
import dev.whittle.api.problems.ApiException;
import dev.whittle.persistence.experiment.Experiment;
import dev.whittle.persistence.experiment.ExperimentStatus;
import dev.whittle.persistence.experiment.Experiments;
import dev.whittle.persistence.experiment.Trial;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.stage.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps running experiments going: first the dense baseline trial, then the other trials in grid order, never more
 * than {@code maxParallel} queued or running; ends an experiment when its trials are over or too many failed. Each
 * experiment is topped up in one transaction under its row lock (taken with SKIP LOCKED, so several API processes
 * share the work), and a trial's job is submitted with an idempotency key of its own and recorded in that same
 * transaction: a process that dies mid-way leaves either both or neither, so no trial is lost or started twice.
 */
@Component
class ExperimentScheduler {

    private static final Logger log = LoggerFactory.getLogger(ExperimentScheduler.class);

    private final Experiments experiments;
    private final JobSubmission submission;
    private final JobQueue queue;
    private final TransactionTemplate transactions;

    ExperimentScheduler(Experiments experiments, JobSubmission submission, JobQueue queue, TransactionTemplate transactions) {
        this.experiments = experiments;
        this.submission = submission;
        this.queue = queue;
        this.transactions = transactions;
    }

    @Scheduled(fixedDelayString = "${whittle.experiments.schedule-interval-ms:500}",
            initialDelayString = "${whittle.experiments.schedule-interval-ms:500}")
    void topUpAll() {
        for (UUID id : experiments.running()) {
            try {
                topUp(id);
            } catch (RuntimeException e) {
                log.warn("Could not top up experiment {}: {}", id, e.toString());
            }
        }
    }

    /** The idempotency key of a trial's job: one job per trial, whoever submits it. */
    static String idempotencyKey(UUID experimentId, int index) {
        return "experiment:" + experimentId + ":trial:" + index;
    }

    void topUp(UUID id) {
        transactions.executeWithoutResult(tx -> experiments.lockRunning(id).ifPresent(this::topUp));
    }

    private void topUp(Experiment e) {
        List<Trial> trials = experiments.trials(e.id());
        Trial baseline = trials.stream().filter(Trial::baseline).findFirst().orElseThrow();
        long failed = trials.stream().filter(t -> !t.baseline() && t.failed()).count();
        if (baseline.failed()) {
            end(e, trials, ExperimentStatus.FAILED, "The dense baseline (trial 0) did not succeed ("
                    + (baseline.error() != null ? baseline.error() : baseline.jobStatus() == null ? "its job was deleted"
                    : "job " + baseline.jobId() + " " + baseline.jobStatus()) + "); no trial can be compared with it");
            return;
        }
        if (failed > e.maxFailedTrials()) {
            end(e, trials, ExperimentStatus.FAILED, failed + " trials failed, more than maxFailedTrials ("
                    + e.maxFailedTrials() + "); the others were cancelled");
            return;
        }
        if (trials.stream().allMatch(Trial::over)) {
            long succeeded = trials.stream().filter(t -> !t.baseline() && t.succeeded()).count();
            end(e, trials, ExperimentStatus.SUCCEEDED, succeeded + " of " + (trials.size() - 1) + " trials succeeded");
            return;
        }
        if (!baseline.submitted()) {
            submit(e, baseline);
            return;
        }
        if (!baseline.succeeded()) {
            return; // the other trials reuse the baseline's results: they wait for them
        }
        long slots = e.maxParallel() - trials.stream().filter(Trial::active).count();
        for (Trial t : trials) {
            if (slots <= 0) {
                break;
            }
            if (!t.submitted()) {
                submit(e, t);
                slots--;
            }
        }
    }

    private void submit(Experiment e, Trial t) {
        try {
            var submitted = submission.submit(t.jobRequest(), idempotencyKey(e.id(), t.index()));
            experiments.submitted(e.id(), t.index(), submitted.job().getId(), null);
        } catch (InvalidRequestException | ApiException refused) {
            // Valid when the experiment was made; something changed since (a model deleted, an output name taken).
            experiments.submitted(e.id(), t.index(), null, "the job was refused: " + refused.getMessage());
        }
    }

    private void end(Experiment e, List<Trial> trials, ExperimentStatus status, String message) {
        experiments.end(e.id(), status, message);
        cancelActive(trials);
    }

    /** Cancels the trials' jobs that are queued or running. */
    void cancelActive(List<Trial> trials) {
        trials.stream().filter(Trial::active).forEach(t -> queue.requestCancel(t.jobId()));
    }
}
