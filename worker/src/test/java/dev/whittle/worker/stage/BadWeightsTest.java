package dev.whittle.worker.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.distill.AnimalDataset;
import dev.whittle.worker.models.InvalidModelFolderException;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.TestWorkers;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Weights no stage can use: NaN and infinite values (INSPECT counts them; the stages that run the model fail naming
 * the tensor; no job registers an output holding them) and a tensor name holding NUL (refused at registration).
 */
@WorkerTest
class BadWeightsTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String POISONED = "model.layers.1.mlp.down_proj.weight";

    @RegisterExtension
    final TestWorkers workers = new TestWorkers();
    @Autowired
    TestJobs testJobs;
    @Autowired
    Models models;
    @Autowired
    DatasetCatalog datasets;
    @Autowired
    StorageRoots storage;
    @Autowired
    ModelCatalog catalog;

    /** A random Llama with two NaNs and an infinity in {@link #POISONED}. */
    private Model poisoned() {
        return testJobs.model(5, TestModels.options(), (name, values) -> {
            if (name.equals(POISONED)) {
                values[3] = Float.NaN;
                values[40] = Float.NaN;
                values[41] = Float.NEGATIVE_INFINITY;
            }
            return values;
        });
    }

    @Test
    void inspectCountsTheNonFiniteValuesOfEachTensor() {
        Job done = workers.run(poisoned(), "[{\"type\":\"INSPECT\"}]", WAIT);

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode report = done.getResult().get("stages").get(0).get("result");
        assertThat(report.get("nonFinite").asLong()).isEqualTo(3);
        for (JsonNode tensor : report.get("tensors")) {
            String name = tensor.get("name").asString();
            assertThat(tensor.get("nonFinite").asLong()).as(name).isEqualTo(name.equals(POISONED) ? 3 : 0);
        }
    }

    @Test
    void pruneFailsNamingTheTensorAndRegistersNothing() {
        assertFailsNamingThePoisonedTensor("[{\"type\":\"PRUNE\",\"method\":\"magnitude\",\"sparsity\":0.5}]");
    }

    @Test
    void evaluateFailsNamingTheTensor() {
        assertFailsNamingThePoisonedTensor("[{\"type\":\"EVALUATE\",\"tasks\":[\"ref-multiple-choice\"],\"limit\":1}]");
    }

    @Test
    void distillFailsNamingTheTensor() throws Exception {
        assertFailsNamingThePoisonedTensor("""
                [{"type": "DISTILL", "method": "sft", "data": {"dataset": "%s", "promptField": "q", "responseField": "a"},
                  "training": {"steps": 2, "batchTokens": 96, "maxLength": 48}}]"""
                .formatted(AnimalDataset.register(datasets, storage)));
    }

    private void assertFailsNamingThePoisonedTensor(String stages) {
        long before = models.count();
        Job done = workers.run(poisoned(), stages, WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorCode()).isEqualTo("MODEL_FORMAT");
        assertThat(done.getErrorMessage()).contains(POISONED).contains("NaN and infinite weights are refused");
        assertThat(done.getOutputModelId()).isNull();
        assertThat(models.count()).as("only the poisoned input was registered").isEqualTo(before + 1);
    }

    @Test
    void aPruneWhoseOutputWouldHoldInfinitiesIsNotRegistered() {
        // 1e6 is finite in fp32 and kept by magnitude pruning, but above float16's largest value (65504).
        String large = "model.layers.0.self_attn.q_proj.weight";
        Model input = testJobs.model(6, TestModels.options(), (name, values) -> {
            if (name.equals(large)) {
                values[0] = 1e6f;
            }
            return values;
        });
        long before = models.count();

        Job done = workers.run(input, "[{\"type\":\"PRUNE\",\"method\":\"magnitude\",\"sparsity\":0.5,"
                + "\"dtype\":\"float16\"}]", WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("1 NaN or infinite weights").contains(large + ": 1")
                .contains("not registered");
        assertThat(done.getOutputModelId()).isNull();
        assertThat(models.count()).isEqualTo(before);
    }

    @Test
    void aMergeOfAPoisonedModelIsNotRegistered() {
        // MERGE streams tensors without loading a decoder: the NaNs reach its output, which is refused.
        Model other = testJobs.model(7, TestModels.options());
        Model input = poisoned();
        long before = models.count();

        Job done = workers.run(input, "[{\"type\":\"MERGE\",\"method\":\"linear\",\"models\":[\"" + other.getName()
                + "\"]}]", WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains(POISONED).contains("NaN or infinite weights").contains("not registered");
        assertThat(done.getOutputModelId()).isNull();
        assertThat(models.count()).isEqualTo(before);
    }

    @Test
    void aTensorNameHoldingNulIsRefusedAtRegistrationNamingTheFileAndTheTensor() throws Exception {
        // Registration reads every header, so no job ever runs on such a folder (a later change of the file is
        // refused as MODEL_CHANGED before any stage reads it).
        Path folder = storage.modelRoots().getFirst().resolve("nul-name-" + java.util.UUID.randomUUID());
        TestModels.write(folder, dev.whittle.engine.model.Family.LLAMA, 1, TestModels.options());
        TestModels.renameTensor(folder, "model.norm.weight", "model.norm\0weight");

        assertThatThrownBy(() -> catalog.register(folder.getFileName().toString(), folder.toString()))
                .isInstanceOf(InvalidModelFolderException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("model.norm?weight")
                .hasMessageContaining("NUL");
    }
}
