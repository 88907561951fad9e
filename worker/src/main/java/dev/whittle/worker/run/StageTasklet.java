package dev.whittle.worker.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.whittle.engine.Progress;
import dev.whittle.persistence.job.EventLevel;
import dev.whittle.persistence.job.JobEventLog;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.queue.WorkerProperties;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one stage of a recipe as the tasklet of its Spring Batch step. What the stage returns is kept in the
 * step's execution context ({@value #RESULT}), and so is the folder of the model it wrote ({@value #OUTPUT}),
 * so that a restarted execution, which skips completed steps, still has both.
 */
final class StageTasklet implements Tasklet {

    static final String RESULT = "whittle.result";
    static final String OUTPUT = "whittle.output";
    /** The models besides its input that a stage's output is made from ({@link StageContext#addParent}), comma-separated ids. */
    static final String PARENTS = "whittle.parents";
    static final String STARTED = "stage.started";
    static final String COMPLETED = "stage.completed";
    static final String FAILED = "stage.failed";
    static final String WARNING = "stage.warning";

    private static final Logger log = LoggerFactory.getLogger(StageTasklet.class);

    private final RunningJob run;
    private final RecipeStage stage;
    private final JobRepository batchRepository;
    private final JobQueue queue;
    private final JobEventLog events;
    private final StageMetrics metrics;
    private final WorkerProperties settings;

    StageTasklet(RunningJob run, RecipeStage stage, JobRepository batchRepository, JobQueue queue,
                 JobEventLog events, StageMetrics metrics, WorkerProperties settings) {
        this.run = run;
        this.stage = stage;
        this.batchRepository = batchRepository;
        this.queue = queue;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        if (run.control().stopRequested()) {
            throw new Progress.Cancelled();
        }
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        UUID jobId = run.job().getId();
        String type = stage.type().name();
        int count = run.stages().size();
        events.info(jobId, STARTED, "Stage " + (stage.index() + 1) + "/" + count + " (" + type + ") started",
                Map.of("stageIndex", stage.index(), "type", type, "attempt", run.control().lease().attempt()));
        log.info("Stage {}/{} ({}) started", stage.index() + 1, count, type);

        Path modelFolder = inputModelFolder(step);
        int attempt = run.control().lease().attempt();
        run.workspace().prepareStage(stage.index(), attempt);
        Path output = run.workspace().outputFolder(stage.index(), attempt);
        ProgressReporter progress = new ProgressReporter(run.control(), queue, events, stage.index(), count, type,
                run.job().getStartedAt(), settings.progressInterval(), settings.progressEventInterval());
        progress.report(null, 0, 0, "started");
        Path work = run.workspace().prepareWork(stage.index(), attempt);
        Context context = new Context(jobId, stage.index(), modelFolder, progress, output, work,
                step.getExecutionContext(), (field, message) -> warn(jobId, type, count, field, message));

        long start = System.nanoTime();
        try {
            Object result = execute(stage.type(), stage.parameters(), context);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            step.getExecutionContext().putString(RESULT, JsonMapper.shared().writeValueAsString(result));
            if (Files.isDirectory(output)) {
                step.getExecutionContext().putString(OUTPUT, output.toString());
            }
            metrics.record(type, "completed", took);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("stageIndex", stage.index());
            data.put("type", type);
            data.put("seconds", took.toMillis() / 1000.0);
            events.info(jobId, COMPLETED, "Stage " + (stage.index() + 1) + "/" + count + " (" + type + ") completed in "
                    + took.toMillis() / 1000.0 + " s", data);
            log.info("Stage {}/{} ({}) completed in {} ms", stage.index() + 1, count, type, took.toMillis());
            return RepeatStatus.FINISHED;
        } catch (Exception | Error e) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            boolean cancelled = e instanceof Progress.Cancelled;
            metrics.record(type, cancelled ? "stopped" : "failed", took);
            if (!cancelled) {
                events.append(jobId, EventLevel.ERROR, FAILED, "Stage " + (stage.index() + 1) + "/" + count + " ("
                        + type + ") failed: " + e.getMessage(), Map.of("stageIndex", stage.index(), "type", type,
                        "error", e.getClass().getSimpleName()));
                log.warn("Stage {}/{} ({}) failed", stage.index() + 1, count, type, e);
            }
            throw e;
        }
    }

    private void warn(UUID jobId, String type, int count, String field, String message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("stageIndex", stage.index());
        data.put("type", type);
        if (field != null) {
            data.put("field", "stages[" + stage.index() + "]." + field);
        }
        events.append(jobId, EventLevel.WARN, WARNING, "Stage " + (stage.index() + 1) + "/" + count + " (" + type + "): "
                + (field == null ? "" : field + ": ") + message, data);
        log.warn("Stage {}/{} ({}): {}{}", stage.index() + 1, count, type, field == null ? "" : field + ": ", message);
    }

    /** The output of the latest earlier stage that wrote a model, or else the job's model. */
    private Path inputModelFolder(StepExecution step) {
        return StageOutputs.read(batchRepository, step.getJobExecution().getJobInstance(),
                        run.stages().subList(0, stage.index()))
                .latestOutput().map(StageOutputs.Output::folder).orElse(run.modelFolder());
    }

    @SuppressWarnings("unchecked")
    private static <P> Object execute(StageType<P> type, Object parameters, StageContext context) throws Exception {
        return type.execute((P) parameters, context);
    }

    private record Context(UUID jobId, int stageIndex, Path modelFolder, ProgressReporter progress, Path outputFolder,
                           Path workFolder, ExecutionContext checkpoint,
                           java.util.function.BiConsumer<String, String> warnings) implements StageContext {
        @Override
        public Progress progress(int part, int parts) {
            return progress.part(part, parts);
        }

        @Override
        public void warning(String field, String message) {
            warnings.accept(field, message);
        }

        @Override
        public void addParent(UUID model) {
            List<UUID> parents = new ArrayList<>(StageOutputs.parents(checkpoint.getString(PARENTS, "")));
            if (!parents.contains(model)) {
                parents.add(model);
                checkpoint.putString(PARENTS, parents.stream().map(UUID::toString).collect(Collectors.joining(",")));
            }
        }
    }
}
