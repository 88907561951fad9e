package dev.whittle.worker.run;

import java.util.List;
import java.util.UUID;

import dev.whittle.persistence.job.JobEventLog;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.queue.WorkerProperties;
import dev.whittle.worker.stage.RecipeStage;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.builder.SimpleJobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.stereotype.Component;

/**
 * Builds the Spring Batch job for a Whittle job: one step per recipe stage, in order. The job instance is
 * identified by the Whittle job's id alone, so a later attempt runs the same instance again and Spring Batch
 * skips the steps an earlier attempt completed.
 */
@Component
class BatchJobs {

    static final String JOB_NAME = "whittle-job";
    static final String JOB_ID = "jobId";

    private final JobRepository batchRepository;
    private final JobQueue queue;
    private final JobEventLog events;
    private final StageMetrics metrics;
    private final WorkerProperties settings;

    BatchJobs(JobRepository batchRepository, JobQueue queue, JobEventLog events, StageMetrics metrics,
              WorkerProperties settings) {
        this.batchRepository = batchRepository;
        this.queue = queue;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
    }

    static JobParameters parameters(UUID jobId, int attempt) {
        return new JobParametersBuilder()
                .addString(JOB_ID, jobId.toString(), true)
                .addLong("attempt", (long) attempt, false)
                .toJobParameters();
    }

    Job build(RunningJob run) {
        List<Step> steps = run.stages().stream().map(stage -> step(run, stage)).toList();
        SimpleJobBuilder job = new JobBuilder(JOB_NAME, batchRepository).start(steps.getFirst());
        steps.stream().skip(1).forEach(job::next);
        return job.listener(new JobExecutionListener() {
            @Override
            public void beforeJob(JobExecution execution) {
                queue.recordBatchExecution(run.control().lease(), execution.getId());
            }
        }).build();
    }

    private Step step(RunningJob run, RecipeStage stage) {
        // The work is files and engine calls, not one database transaction: the step's own transaction is a no-op,
        // and the job repository keeps its bookkeeping in transactions of its own.
        return new StepBuilder(stage.stepName(), batchRepository)
                .tasklet(new StageTasklet(run, stage, batchRepository, queue, events, metrics, settings),
                        new ResourcelessTransactionManager())
                .build();
    }
}
