package dev.whittle.worker.run;

import java.time.LocalDateTime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * Makes the latest Spring Batch execution of a job restartable before a new attempt starts it. Spring Batch
 * restarts only a FAILED or STOPPED execution; two kinds are left otherwise:
 * <ul>
 *   <li>STARTED (or STARTING, STOPPING): the worker running it died, or stalled and lost its lease;</li>
 *   <li>UNKNOWN: its step ended but the step's bookkeeping could not be saved (the database went away), so
 *       Spring Batch cannot tell whether the step's work is done ("Cannot restart job from UNKNOWN status").</li>
 * </ul>
 * Both are marked FAILED, with their unfinished steps: a step whose end was not recorded runs again, which
 * is safe because each attempt writes into folders of its own ({@link Workspace}). Spring Batch's own
 * {@code JobOperator.recover} refuses UNKNOWN executions, hence this.
 */
@Component
class ExecutionRecovery {

    private static final Logger log = LoggerFactory.getLogger(ExecutionRecovery.class);
    private static final int TRIES = 10;

    private final JobRepository batchRepository;

    ExecutionRecovery(JobRepository batchRepository) {
        this.batchRepository = batchRepository;
    }

    /**
     * Marks the latest execution of the job that {@code parameters} identify failed when it is left running or
     * UNKNOWN. A worker that only stalled may still write to that execution: then read it again, and leave it be
     * once it is no longer running.
     */
    void recover(JobParameters parameters) throws InterruptedException {
        for (int tries = 1; ; tries++) {
            JobExecution latest = batchRepository.getLastJobExecution(BatchJobs.JOB_NAME, parameters);
            if (latest == null) {
                return;
            }
            JobExecution previous = batchRepository.getJobExecution(latest.getId());
            if (previous == null || !abandoned(previous.getStatus())) {
                return;
            }
            try {
                log.info("Marking execution {} ({}) of a previous attempt as failed so that it can be restarted",
                        previous.getId(), previous.getStatus());
                markFailed(previous);
                return;
            } catch (OptimisticLockingFailureException e) {
                if (tries == TRIES) {
                    throw e;
                }
                Thread.sleep(100L * tries);
            }
        }
    }

    private void markFailed(JobExecution execution) {
        LocalDateTime now = LocalDateTime.now();
        for (StepExecution step : execution.getStepExecutions()) {
            if (abandoned(step.getStatus())) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription("abandoned by an earlier attempt"));
                if (step.getEndTime() == null) {
                    step.setEndTime(now);
                }
                batchRepository.update(step);
            }
        }
        execution.setStatus(BatchStatus.FAILED);
        execution.setExitStatus(ExitStatus.FAILED.addExitDescription("abandoned by an earlier attempt"));
        if (execution.getEndTime() == null) {
            execution.setEndTime(now);
        }
        batchRepository.update(execution);
    }

    private static boolean abandoned(BatchStatus status) {
        return status.isRunning() || status == BatchStatus.UNKNOWN;
    }
}
