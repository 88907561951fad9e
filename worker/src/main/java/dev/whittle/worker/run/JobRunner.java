package dev.whittle.worker.run;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.persistence.job.Lease;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.persistence.outage.DatabaseOutage;
import dev.whittle.worker.queue.WorkerProperties;
import dev.whittle.worker.models.ModelFileIntegrity;
import dev.whittle.worker.models.ModelFileUnavailableException;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.storage.StorageRoots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Runs one claimed attempt of a job: builds its Spring Batch job, starts it (or restarts it, after marking an
 * execution that a dead worker left running as failed), and ends the attempt according to what happened:
 * succeeded (the stages' results recorded, the output model promoted by {@link OutputPromotion} in the same
 * transaction), cancelled or failed (workspace removed), given back to the queue (this worker is stopping), or
 * nothing at all when the lease was lost, since the job then belongs to someone else.
 *
 * <p>A database outage fails nothing: whenever the attempt (its start, a stage, its end) fails because PostgreSQL
 * cannot be reached, the attempt waits for the database with backoff, renews its lease, and carries on where it
 * stood: the Spring Batch execution left UNKNOWN or STARTED is recovered ({@link ExecutionRecovery}) and restarted,
 * completed stages are skipped. Only if the lease was taken meanwhile is the job left to whoever has it now.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * Outages one attempt rides out. A real one counts once however long it lasts; an error that only looks like one
     * (the server answering, yet every attempt failing to connect again) must not loop for ever.
     */
    private static final int MAX_OUTAGES_PER_ATTEMPT = 20;

    private final Jobs jobs;
    private final Models models;
    private final JobQueue queue;
    private final StageTypes stageTypes;
    private final BatchJobs batchJobs;
    private final JobOperator jobOperator;
    private final JobRepository batchRepository;
    private final OutputPromotion promotion;
    private final StorageRoots storage;
    private final TransactionTemplate transaction;
    private final ModelFileIntegrity integrity;
    private final ExecutionRecovery recovery;
    private final WorkerProperties settings;

    JobRunner(Jobs jobs, Models models, JobQueue queue, StageTypes stageTypes, BatchJobs batchJobs,
              JobOperator jobOperator, JobRepository batchRepository, OutputPromotion promotion,
              StorageRoots storage, TransactionTemplate transaction, ModelFileIntegrity integrity,
              ExecutionRecovery recovery, WorkerProperties settings) {
        this.jobs = jobs;
        this.models = models;
        this.queue = queue;
        this.stageTypes = stageTypes;
        this.batchJobs = batchJobs;
        this.jobOperator = jobOperator;
        this.batchRepository = batchRepository;
        this.promotion = promotion;
        this.storage = storage;
        this.transaction = transaction;
        this.integrity = integrity;
        this.recovery = recovery;
        this.settings = settings;
    }

    /** Runs the attempt {@code control} holds the lease of, to its end. Never throws. */
    public void run(JobControl control) {
        Lease lease = control.lease();
        MDC.put("jobId", lease.jobId().toString());
        MDC.put("attempt", Integer.toString(lease.attempt()));
        Workspace workspace = new Workspace(storage.workspace(lease.jobId()));
        try {
            log.info("Running job {} (attempt {})", lease.jobId(), lease.attempt());
            for (int outages = 1; ; outages++) {
                try {
                    runAttempt(control, workspace);
                    return;
                } catch (Exception | Error e) {
                    if (!DatabaseOutage.causes(e) || outages > MAX_OUTAGES_PER_ATTEMPT) {
                        throw e;
                    }
                    log.warn("Job {}: the database cannot be reached ({}); waiting for it", lease.jobId(), e.getMessage());
                    if (!awaitDatabase(control)) {
                        log.warn("Job {}: lease lost or worker stopping while the database was away; leaving it", lease.jobId());
                        return;
                    }
                    log.info("Job {}: the database is back; carrying on with attempt {}", lease.jobId(), lease.attempt());
                }
            }
        } catch (TransientDataAccessException | JobExecutionAlreadyRunningException e) {
            // Contention on the batch tables, or a stalled earlier worker still finishing its execution: not the
            // job's fault; try it again later.
            log.warn("Job {} could not be started now ({}); giving it back to the queue", lease.jobId(), e.getMessage());
            if (!queue.release(lease)) {
                end(control, workspace, JobStatus.FAILED, "INTERNAL_ERROR", describe(e), null);
            }
        } catch (OutOfMemoryError e) {
            // The job asked for more than the heap holds. Its references are gone with its stack frames, so the
            // worker (and the jobs of its other threads) carries on; the job fails with what it ran out of.
            log.error("Job {} ran out of memory", lease.jobId(), e);
            end(control, workspace, JobStatus.FAILED, OUT_OF_MEMORY, outOfMemory(e), null);
        } catch (Exception | Error e) {
            log.error("Job {} could not be run", lease.jobId(), e);
            end(control, workspace, JobStatus.FAILED, "INTERNAL_ERROR", describe(e), null);
        } finally {
            TeamScope.clear();
            MDC.remove("jobId");
            MDC.remove("attempt");
        }
    }

    private void runAttempt(JobControl control, Workspace workspace) throws Exception {
        Lease lease = control.lease();
        Job job = jobs.findById(lease.jobId()).orElseThrow();
        // What the job reads and makes is its team's (models, datasets, tasks, evaluations), never another's.
        TeamScope.enter(job.getOwnerTeam());
        Model model = models.findById(job.getModelId()).orElseThrow();
        List<RecipeStage> stages;
        try {
            stages = stageTypes.parse(job.getRecipe().get("stages"), "stages");
        } catch (InvalidRequestException e) {
            end(control, workspace, JobStatus.FAILED, "INVALID_RECIPE", "The recipe no longer validates: " + e.getMessage(), null);
            return;
        }
        try {
            // A file swapped for a link, or rewritten, since registration is not loaded.
            integrity.checkAll(model);
        } catch (ModelFileUnavailableException e) {
            end(control, workspace, JobStatus.FAILED, "MODEL_CHANGED", e.getMessage(), null);
            return;
        }
        RunningJob run = new RunningJob(job, model, stages, control, workspace);
        JobParameters parameters = BatchJobs.parameters(job.getId(), lease.attempt());
        recovery.recover(parameters);
        JobExecution execution;
        try {
            execution = jobOperator.start(batchJobs.build(run), parameters);
        } catch (JobInstanceAlreadyCompleteException e) {
            // An earlier attempt completed every step and died before it could record the end.
            execution = batchRepository.getLastJobExecution(BatchJobs.JOB_NAME, parameters);
        }
        conclude(run, execution);
    }

    /**
     * Waits, with backoff, until the database answers again and the lease is renewed. True when the lease is still
     * this attempt's; false when it was lost, or when this worker stops meanwhile (the lease then expires, and the
     * job goes back to the queue).
     */
    private boolean awaitDatabase(JobControl control) {
        long backoff = 250;
        while (!control.shuttingDown() && !control.leaseLost()) {
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            try {
                control.update(queue.renew(control.lease(), settings.lease()));
                return !control.leaseLost();
            } catch (RuntimeException e) {
                if (!DatabaseOutage.causes(e)) {
                    throw e;
                }
            }
        }
        return false;
    }

    private void conclude(RunningJob run, JobExecution execution) {
        JobControl control = run.control();
        if (control.leaseLost()) {
            log.warn("Lease of job {} was lost; leaving it to the worker that has it now", run.job().getId());
            return;
        }
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            succeed(run, execution);
            return;
        }
        for (Throwable t : execution.getAllFailureExceptions()) {
            if (DatabaseOutage.causes(t)) {
                // The stage, or Spring Batch saving its end (the execution is then UNKNOWN), lost the database.
                throw new DatabaseUnavailableDuringAttempt(t);
            }
        }
        Throwable failure = execution.getAllFailureExceptions().stream().findFirst().orElse(null);
        OutOfMemoryError oom = outOfMemoryIn(failure);
        if (oom != null) {
            end(control, run.workspace(), JobStatus.FAILED, OUT_OF_MEMORY, outOfMemory(oom), null);
            return;
        }
        boolean stopped = failure instanceof Progress.Cancelled || control.stopRequested();
        if (stopped && control.shuttingDown() && !control.cancelRequested()) {
            if (queue.release(control.lease())) {
                log.info("Job {} given back to the queue: this worker is stopping", run.job().getId());
                return;
            }
        }
        if (stopped) {
            end(control, run.workspace(), JobStatus.CANCELLED, null, null, null);
        } else {
            end(control, run.workspace(), JobStatus.FAILED, errorCode(failure), describe(failure), null);
        }
    }

    private void succeed(RunningJob run, JobExecution execution) {
        Lease lease = run.control().lease();
        try {
            StageOutputs outputs = StageOutputs.read(batchRepository, execution.getJobInstance(), run.stages());
            JsonNode result = outputs.results();
            Optional<StageOutputs.Output> output = outputs.latestOutput();
            // The row stays locked from the check to the end, so neither a cancel nor the lease sweeper can
            // interleave; the output is promoted only if the job really succeeds (and removed if this rolls back).
            Optional<JobStatus> ended = transaction.execute(tx -> {
                Optional<JobStatus> status = queue.lockForEnd(lease);
                if (status.isEmpty()) {
                    return status;
                }
                if (status.get() == JobStatus.CANCELLING) {
                    run.workspace().delete();
                    return queue.end(lease, JobStatus.CANCELLED, null, null, null, null);
                }
                UUID outputModel = output.map(o -> promotion.promote(run, o, result)).orElse(null);
                Optional<JobStatus> succeeded = queue.end(lease, JobStatus.SUCCEEDED, null, null, result, outputModel);
                run.workspace().delete(); // before the end is visible to anyone
                return succeeded;
            });
            if (ended.isEmpty()) {
                log.warn("Job {} completed, but its lease was lost; leaving it to the worker that has it now", lease.jobId());
                return;
            }
            log.info("Job {} ended: {}", lease.jobId(), ended.get());
        } catch (RuntimeException e) {
            if (DatabaseOutage.causes(e)) {
                throw e; // the attempt waits for the database and concludes again
            }
            log.error("Job {} completed but its output could not be registered", lease.jobId(), e);
            end(run.control(), run.workspace(), JobStatus.FAILED, "OUTPUT_FAILED", describe(e), null);
        }
    }

    private void end(JobControl control, Workspace workspace, JobStatus outcome, String code, String message,
                     JsonNode result) {
        while (true) {
            try {
                // Partial outputs go before the end is visible, and only while the lease is still ours: after a lost
                // lease the workspace belongs to the attempt that replaced this one.
                Optional<JobStatus> ended = transaction.execute(tx -> {
                    if (queue.lockForEnd(control.lease()).isEmpty()) {
                        return Optional.<JobStatus>empty();
                    }
                    if (workspace != null) {
                        workspace.delete();
                    }
                    return queue.end(control.lease(), outcome, code, message, result, null);
                });
                ended.ifPresentOrElse(status -> log.info("Job {} ended: {}", control.lease().jobId(), status),
                        () -> log.warn("Job {}: lease lost before its end could be recorded", control.lease().jobId()));
                return;
            } catch (RuntimeException e) {
                if (DatabaseOutage.causes(e) && awaitDatabase(control)) {
                    continue;
                }
                log.error("Could not record the end of job {}; its lease will expire", control.lease().jobId(), e);
                return;
            }
        }
    }

    private static OutOfMemoryError outOfMemoryIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    private static String outOfMemory(OutOfMemoryError e) {
        Runtime runtime = Runtime.getRuntime();
        return "The job ran out of memory (" + describe(e) + "; the worker's heap is "
                + runtime.maxMemory() / (1024 * 1024) + " MiB): ask for less (fewer or shorter samples, a smaller batch)";
    }

    /** Carries a database outage that ended a Spring Batch execution out of it, to wait and carry on. */
    private static final class DatabaseUnavailableDuringAttempt extends RuntimeException {
        DatabaseUnavailableDuringAttempt(Throwable cause) {
            super("the database could not be reached: " + cause.getMessage(), cause);
        }
    }

    static final String OUT_OF_MEMORY = "OUT_OF_MEMORY";

    private static String errorCode(Throwable failure) {
        if (failure instanceof ModelFormatException) {
            return "MODEL_FORMAT";
        }
        if (failure instanceof IOException || failure != null && failure.getCause() instanceof IOException) {
            return "IO_ERROR";
        }
        return "STAGE_FAILED";
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "failed without an exception";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
