package dev.whittle.worker.run;

import java.nio.file.Path;
import java.util.List;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.stage.RecipeStage;

/** One attempt at a job on this worker: the job, its input model, its parsed recipe, its control and workspace. */
record RunningJob(Job job, Model model, List<RecipeStage> stages, JobControl control, Workspace workspace) {

    Path modelFolder() {
        return Path.of(model.getPath());
    }
}
