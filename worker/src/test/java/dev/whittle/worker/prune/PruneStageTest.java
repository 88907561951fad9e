package dev.whittle.worker.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.RecipeStage;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.TestWorkers;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The PRUNE stage through the worker: submission checks, a job end to end, and the model it registers. */
@WorkerTest
class PruneStageTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Autowired
    TestJobs testJobs;
    @Autowired
    StageTypes stageTypes;
    @Autowired
    Models models;
    @Autowired
    DatasetCatalog datasets;
    @Autowired
    StorageRoots storage;
    @Autowired
    ModelCatalog catalog;

    @RegisterExtension
    final TestWorkers testWorkers = new TestWorkers();

    private Job run(Model model, String stage) {
        return testWorkers.run(model, "[" + stage + "]", WAIT);
    }

    private List<FieldProblem> problemsOf(String stage) {
        try {
            stageTypes.parse(JsonMapper.shared().readTree("[" + stage + "]"), "stages");
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems with " + stage);
    }

    /** A small random Mixtral, 8 experts of which each token is routed to 2, registered. */
    private Model mixtral() throws IOException {
        String name = "mixtral-" + UUID.randomUUID().toString().substring(0, 8);
        Path folder = storage.modelRoots().getFirst().resolve(name);
        TestModels.write(folder, Family.MIXTRAL, 9, TestModels.options().experts(8).expertsPerToken(2));
        return catalog.register(name, folder.toString());
    }

    private String textDataset() throws IOException {
        Path file = storage.dataRoots().getFirst().resolve("calibration-" + UUID.randomUUID() + ".txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, (TestTokenizers.TRAINING_TEXT + "\n\n").repeat(6));
        return datasets.register("calibration-" + UUID.randomUUID(), file.toString(), DatasetFormat.TEXT).getName();
    }

    @Test
    void aWandaJobWritesAPrunedModelWithItsStatisticsAndLineage() throws IOException {
        Model input = testJobs.model();
        String dataset = textDataset();
        Job done = run(input, """
                {"type": "PRUNE", "method": "wanda", "nm": "2:4",
                 "calibration": {"dataset": "%s", "nsamples": 4, "seqlen": 32, "seed": 1}}""".formatted(dataset));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode result = done.getResult().get("stages").get(0).get("result");
        assertThat(result.get("statistics").get("prunedSparsity").asDouble()).isEqualTo(0.5);
        assertThat(result.get("statistics").get("calibration").get("source").asString()).contains("text file");
        assertThat(result.get("times").get("forward").asDouble()).isPositive();
        assertThat(done.getProgress().percent()).isEqualTo(100.0);

        Model output = models.findById(done.getOutputModelId()).orElseThrow();
        assertThat(output.getParentId()).isEqualTo(input.getId());
        Path folder = Path.of(output.getPath());
        assertThat(folder.resolve(PruneStage.STATISTICS_FILE)).isRegularFile();
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            float[] q = checkpoint.floats("model.layers.0.self_attn.q_proj.weight");
            for (int g = 0; g < q.length; g += 4) {
                int zeros = 0;
                for (int i = g; i < g + 4; i++) {
                    zeros += q[i] == 0 ? 1 : 0;
                }
                assertThat(zeros).isEqualTo(2);
            }
            assertThat(checkpoint.metadata()).containsEntry("whittle.prune.method", "wanda");
        }
    }

    @Test
    void aJobWithoutCalibrationCalibratesOnTheShippedNaturalEnglishWithoutFetchingAnything() {
        Job done = run(testJobs.model(), """
                {"type": "PRUNE", "method": "sparsegpt", "sparsity": 0.5, "calibration": {"nsamples": 8}}""");

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode calibration = done.getResult().get("stages").get(0).get("result").get("statistics").get("calibration");
        assertThat(calibration.get("source").asString()).isEqualTo("built-in natural-english");
        assertThat(calibration.get("samples").asInt()).isEqualTo(8);
    }

    @Test
    void aBlockRemovalJobRegistersAModelWithFewerLayers() throws IOException {
        Model input = testJobs.model();
        Job done = run(input, """
                {"type": "PRUNE", "method": "block-removal", "blocks": 1, "metric": "block-influence",
                 "calibration": {"builtIn": "knowledge", "nsamples": 2, "seqlen": 24}}""");
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Model output = models.findById(done.getOutputModelId()).orElseThrow();
        assertThat(ModelConfig.load(Path.of(output.getPath())).numHiddenLayers()).isEqualTo(1);
        assertThat(done.getResult().get("stages").get(0).get("result").get("statistics").get("blockScores")
                .get("removed")).hasSize(1);
    }

    @Test
    void aWidthJobRegistersANarrowerModelWithTheWidthsRemovedPerLayer() throws IOException {
        Model input = testJobs.model();
        ModelConfig source = ModelConfig.load(Path.of(input.getPath()));
        Job done = run(input, """
                {"type": "PRUNE", "method": "width", "mlpRatio": 0.5, "headRatio": 0.5,
                 "calibration": {"builtIn": "knowledge", "nsamples": 2, "seqlen": 24}}""");
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        ModelConfig output = ModelConfig.load(Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath()));
        assertThat(output.intermediateSize()).isLessThan(source.intermediateSize());
        assertThat(output.numKeyValueHeads()).isLessThan(source.numKeyValueHeads());
        JsonNode width = done.getResult().get("stages").get(0).get("result").get("statistics").get("width");
        assertThat(width.get("layers")).hasSize(source.numHiddenLayers());
        assertThat(width.get("parametersAfter").asLong()).isLessThan(width.get("parametersBefore").asLong());
    }

    @Test
    void aReapJobRegistersAMixtralWithFewerExpertsAndTheScoresPerExpert() throws IOException {
        Model input = mixtral();
        Job done = run(input, """
                {"type": "PRUNE", "method": "reap", "experts": 0.25,
                 "calibration": {"builtIn": "natural-english", "nsamples": 3, "seqlen": 24}}""");

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Model output = models.findById(done.getOutputModelId()).orElseThrow();
        assertThat(output.getParentId()).isEqualTo(input.getId());
        Path folder = Path.of(output.getPath());
        assertThat(ModelConfig.load(folder).json().get("num_local_experts").asInt()).isEqualTo(6);
        assertThat(DecoderLoader.load(folder, Progress.NONE).config().moe().numExperts()).isEqualTo(6);
        JsonNode statistics = done.getResult().get("stages").get(0).get("result").get("statistics");
        assertThat(statistics.get("expertScores").get("metric").asString()).isEqualTo("reap");
        assertThat(statistics.get("expertScores").get("layers")).hasSize(2).allSatisfy(layer -> {
            assertThat(layer.get("scores")).hasSize(8);
            assertThat(layer.get("kept")).hasSize(6);
        });
        assertThat(statistics.get("activeParameters").asLong()).isLessThan(statistics.get("parameters").asLong());
        assertThat(done.getProgress().percent()).isEqualTo(100.0);
    }

    /** STUN: expert pruning, then Wanda 50% inside the experts left, as two PRUNE stages of one recipe. */
    @Test
    void aStunRecipePrunesExpertsThenWeightsInsideThem() throws IOException {
        Job done = run(mixtral(), """
                {"type": "PRUNE", "method": "reap", "experts": 0.25, "calibration": {"nsamples": 2, "seqlen": 24}},
                {"type": "PRUNE", "method": "wanda", "sparsity": 0.5, "calibration": {"nsamples": 2, "seqlen": 24}}""");

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Path folder = Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath());
        assertThat(ModelConfig.load(folder).moe().numExperts()).isEqualTo(6);
        JsonNode wanda = done.getResult().get("stages").get(1).get("result").get("statistics");
        assertThat(wanda.get("prunedSparsity").asDouble()).isEqualTo(0.5);
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            float[] w1 = checkpoint.floats("model.layers.1.block_sparse_moe.experts.5.w1.weight");
            assertThat(IntStream.range(0, w1.length).filter(i -> w1[i] == 0).count()).isEqualTo(w1.length / 2);
            float[] router = checkpoint.floats("model.layers.1.block_sparse_moe.gate.weight");
            assertThat(IntStream.range(0, router.length).filter(i -> router[i] == 0).count()).isZero();
        }
    }

    @Test
    void aMergeExpertsJobRecordsTheGroupsOfEveryLayer() throws IOException {
        Job done = run(mixtral(), """
                {"type": "PRUNE", "method": "merge-experts", "experts": 0.5, "calibration": {"nsamples": 2, "seqlen": 24}}""");
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(ModelConfig.load(Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath()))
                .moe().numExperts()).isEqualTo(4);
        JsonNode merges = done.getResult().get("stages").get(0).get("result").get("statistics").get("expertMerges");
        assertThat(merges.get("layers")).hasSize(2).allSatisfy(layer -> assertThat(layer.get("groups")).hasSize(4));
    }

    @Test
    void expertMethodsOnADenseModelAndRemovalsBelowTopKFailTheJobNamingTheField() throws IOException {
        Job dense = run(testJobs.model(), """
                {"type": "PRUNE", "method": "frequency", "experts": 0.5}""");
        assertThat(dense.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(dense.getErrorMessage()).contains("method: frequency reduces the experts of a Mixture-of-Experts "
                + "model; LlamaForCausalLM is dense");
        Job belowTopK = run(mixtral(), """
                {"type": "PRUNE", "method": "ean", "experts": 0.9}""");
        assertThat(belowTopK.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(belowTopK.getErrorMessage()).contains("experts: removing 7 of 8 experts would leave 1, fewer than "
                + "the 2 each token is routed to");
        assertThat(belowTopK.getOutputModelId()).isNull();
    }

    @Test
    void whatTheModelCannotTakeFailsTheJobNamingTheField() {
        Job done = run(testJobs.model(), """
                {"type": "PRUNE", "method": "block-removal", "blocks": 2}""");
        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("blocks: the model has 2 blocks");
        assertThat(done.getOutputModelId()).isNull();
    }

    @Test
    void aSubmissionIsCheckedFieldByField() {
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "wanda", "sparsity": 1.2, "calibration": {"nsamples": 0, "seqlen": 8}}"""))
                .containsExactlyInAnyOrder(new FieldProblem("stages[0].sparsity", "must be less than 1"),
                        new FieldProblem("stages[0].calibration.nsamples", "must be greater than or equal to 1"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "wanda", "sparsity": 0.5, "include": ["(unclosed"],
                 "calibration": {"dataset": "no-such-dataset"}}"""))
                .extracting(FieldProblem::field)
                .containsExactlyInAnyOrder("stages[0].include[0]", "stages[0].calibration.dataset");
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "sparsegpt", "sparsity": 0.3, "nm": "2:4"}"""))
                .containsExactly(new FieldProblem("stages[0].sparsity", "N:M 2:4 prunes exactly 0.5; leave sparsity "
                        + "out or give that"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "magnitude"}""")).containsExactly(
                new FieldProblem("stages[0].sparsity", "required (or nm for N:M sparsity)"));
    }

    @Test
    void eachMethodTakesOnlyItsOwnFieldsAndValuesByTheirLowerCaseNames() {
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "block-removal", "blocks": 1, "nm": "2:4"}"""))
                .containsExactly(new FieldProblem("stages[0].nm", "unknown field; known fields: "
                        + "[blocks, calibration, dtype, metric, tokens]"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "magnitude", "sparsity": 0.5, "calibration": {"builtIn": "knowledge"}}"""))
                .extracting(FieldProblem::field).containsExactly("stages[0].calibration");
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "obs", "sparsity": 0.5}""")).containsExactly(new FieldProblem(
                "stages[0].method", "unknown 'obs'; one of magnitude, wanda, sparsegpt, block-removal, width, reap, frequency, ean, merge-experts"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "sparsity": 0.5}""")).extracting(FieldProblem::field).containsExactly("stages[0].method");
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "sparsegpt", "nm": "4:4"}""")).containsExactly(
                new FieldProblem("stages[0].nm", "N:M needs 1 <= N < M, got 4:4"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "wanda", "sparsity": 0.5, "dtype": "int8"}""")).containsExactly(
                new FieldProblem("stages[0].dtype", "must be one of [bfloat16, float16, float32]"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "wanda", "sparsity": 0.5, "calibration": {"builtIn": "c4"}}""")).containsExactly(
                new FieldProblem("stages[0].calibration.builtIn", "must be one of [natural-english, knowledge]"));
        assertThat(problemsOf("""
                {"type": "PRUNE", "method": "block-removal", "blocks": 1, "metric": "ANGULAR_DISTANCE"}""")).containsExactly(
                new FieldProblem("stages[0].metric", "must be one of [angular-distance, block-influence]"));
    }

    @Test
    void theJobRecordsTheStageWithItsDefaultsInTheFormItWasGiven() {
        RecipeStage stage = stageTypes.parse(JsonMapper.shared().readTree("""
                [{"type": "PRUNE", "method": "block-removal", "blocks": 1, "dtype": "bfloat16"}]"""), "stages").getFirst();
        assertThat(StageTypes.toJson(stage).toString()).isEqualTo(JsonMapper.shared().readTree("""
                {"type": "PRUNE", "method": "block-removal", "blocks": 1, "metric": "angular-distance", "tokens": "last",
                 "calibration": {"builtIn": "natural-english", "nsamples": 128, "seqlen": 2048, "seed": 0},
                 "dtype": "bfloat16"}""").toString());
        assertThat(stageTypes.parse(JsonMapper.shared().readTree("[" + StageTypes.toJson(stage) + "]"), "stages")
                .getFirst().parameters()).isEqualTo(stage.parameters());
    }
}
