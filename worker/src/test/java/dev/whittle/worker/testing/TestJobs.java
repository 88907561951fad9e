package dev.whittle.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Test fixtures in the database: registered random models, and jobs submitted straight to the queue. */
@Component
public class TestJobs {

    private final ModelCatalog catalog;
    private final StorageRoots storage;
    private final StageTypes stageTypes;
    private final Jobs jobs;

    public TestJobs(ModelCatalog catalog, StorageRoots storage, StageTypes stageTypes, Jobs jobs) {
        this.catalog = catalog;
        this.storage = storage;
        this.stageTypes = stageTypes;
        this.jobs = jobs;
    }

    /** Writes a small random Llama into the first model root and registers it. */
    public Model model() {
        return model(42, TestModels.options());
    }

    /** Writes a random Llama of this seed and shape into the first model root and registers it. */
    public Model model(long seed, TestModels.Options options) {
        return model(seed, options, null);
    }

    /** As {@link #model(long, TestModels.Options)}, with the tensors' values passed through {@code edit}. */
    public Model model(long seed, TestModels.Options options, TestModels.Edit edit) {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Path folder = storage.modelRoots().getFirst().resolve(name);
        try {
            TestModels.write(folder, Family.LLAMA, seed, options, edit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return catalog.register(name, folder.toString());
    }

    /** Queues a job running {@code stagesJson} (a JSON array of stages) on {@code model}. */
    public Job submit(Model model, String stagesJson, String callbackUrl) {
        return submit(model, stagesJson, callbackUrl, 3);
    }

    /** As {@link #submit(Model, String, String)}, claimed at most {@code maxAttempts} times. */
    public Job submit(Model model, String stagesJson, String callbackUrl, int maxAttempts) {
        List<RecipeStage> stages = stageTypes.parse(JsonMapper.shared().readTree(stagesJson), "stages");
        ObjectNode recipe = JsonMapper.shared().createObjectNode();
        stages.forEach(s -> recipe.withArray("stages").add(StageTypes.toJson(s)));
        return jobs.save(new Job(null, model.getId(), recipe, stages.size(), Map.of(), callbackUrl, maxAttempts, null, null));
    }

    public Job submit(Model model, String stagesJson) {
        return submit(model, stagesJson, null);
    }

    /** Waits (up to {@code timeout}) until the job satisfies {@code condition}, and returns it. */
    public Job await(UUID jobId, Predicate<Job> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Job job = jobs.findById(jobId).orElseThrow();
        while (!condition.test(job)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " did not get there in " + timeout + "; it is " + job.getStatus()
                        + " (attempt " + job.getAttempt() + ", worker " + job.getWorkerId() + ", error "
                        + job.getErrorMessage() + ")");
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            job = jobs.findById(jobId).orElseThrow();
        }
        return job;
    }
}
