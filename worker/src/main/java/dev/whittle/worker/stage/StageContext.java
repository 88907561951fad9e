package dev.whittle.worker.stage;

import java.nio.file.Path;
import java.util.UUID;

import dev.whittle.engine.Progress;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/** What a running stage may use. */
public interface StageContext {

    UUID jobId();

    /** This stage's position in the recipe (0-based). */
    int stageIndex();

    /** The folder of the model this stage works on: the job's model, or the output of the latest stage that wrote one. */
    Path modelFolder();

    /** Where the stage reports progress, and learns it should stop. */
    Progress progress();

    /**
     * Where part {@code part} (0-based) of {@code parts} equal parts of the stage's work reports: for a stage whose
     * units start again for each part (an evaluation's tasks), so the job's percent and ETA count the parts done.
     */
    Progress progress(int part, int parts);

    /**
     * Where a stage that produces a model writes it (does not exist yet; write it with the engine's atomic
     * {@code ModelFolderWriter}). If the folder exists when the stage ends it becomes the model of later stages,
     * and the job's output model, registered only once the job has succeeded. It lies in the job's workspace,
     * which is removed when the job fails or is cancelled.
     */
    Path outputFolder();

    /**
     * Where a long stage keeps what it resumes from (training checkpoints): a folder of the job's workspace that a
     * later attempt of this stage, on any worker with the same storage, finds as this attempt left it. Removed when
     * the job ends.
     */
    Path workFolder();

    /**
     * Records that the model this stage writes is made from registered model {@code model} too, besides its input
     * (a MERGE's other models): the job's output model is registered with it as one more parent. Call it for the
     * models actually read; calling it again for the same model changes nothing.
     */
    void addParent(UUID model);

    /** The step's Spring Batch execution context: values put here survive a restart of the job on another worker. */
    ExecutionContext checkpoint();

    /**
     * Records a warning in the job's events ({@code stage.warning}, level WARN): something the stage changed or
     * assumed that the request did not say, such as a length clipped to the model's context, so the user sees why
     * the result differs from what was asked. {@code field} is the parameter it concerns (null if none).
     */
    void warning(String field, String message);
}
