package dev.whittle.worker.distill;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.train.lora.LoraModel;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
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

import static org.assertj.core.api.Assertions.assertThat;

/** The DISTILL stage through the worker: each method end to end, sparsity kept, a resumed run, submission checks. */
@WorkerTest
class DistillStageTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String[] ANIMALS = AnimalDataset.ANIMALS;
    /** Twelve updates on small packed batches, a quarter of the examples held out. */
    private static final String TRAINING = """
            {"steps": 12, "learningRate": 3e-3, "batchTokens": 96, "maxLength": 48, "validationFraction": 0.25,
             "validateEvery": 4, "checkpointEvery": 3, "seed": 7}""";

    @Autowired
    TestJobs testJobs;
    @Autowired
    StageTypes stageTypes;
    @Autowired
    Models models;
    @Autowired
    ModelCatalog catalog;
    @Autowired
    DatasetCatalog datasetCatalog;
    @Autowired
    Datasets datasets;
    @Autowired
    StorageRoots storage;
    @Autowired
    JobQueue queue;

    @RegisterExtension
    final TestWorkers testWorkers = new TestWorkers();

    private Job run(Model model, String stages) {
        return testWorkers.run(model, stages, WAIT);
    }

    private static JsonNode result(Job job) {
        return job.getResult().get("stages").get(job.getResult().get("stages").size() - 1).get("result");
    }

    private String animalDataset() throws IOException {
        return AnimalDataset.register(datasetCatalog, storage);
    }

    private Model registeredModel(long seed, int vocab) throws IOException {
        String name = "teacher-" + UUID.randomUUID().toString().substring(0, 8);
        Path folder = storage.modelRoots().getFirst().resolve(name);
        TestModels.write(folder, Family.LLAMA, seed, TestModels.options().vocab(vocab));
        return catalog.register(name, folder.toString());
    }

    private List<FieldProblem> problemsOf(String stage, ModelConfig model) {
        try {
            stageTypes.parse(JsonMapper.shared().readTree("[" + stage + "]"), "stages", model);
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems with " + stage);
    }

    @Test
    void sftTrainsOnTheDatasetsResponsesAndWritesTheModelWithItsLossCurve() throws IOException {
        Model input = testJobs.model();
        Job done = run(input, """
                [{"type": "DISTILL", "method": "sft",
                  "data": {"dataset": "%s", "promptField": "q", "responseField": "a"}, "training": %s}]"""
                .formatted(animalDataset(), TRAINING));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode result = result(done);
        assertThat(result.get("steps").asInt()).isEqualTo(12);
        assertThat(result.get("resumedFromStep").asInt()).isZero();
        assertThat(result.get("trainingExamples").asInt()).isEqualTo(9);
        assertThat(result.get("heldOutExamples").asInt()).isEqualTo(3);
        JsonNode curve = result.get("lossCurve");
        assertThat(curve).hasSize(12);
        assertThat(curve.get(3).get("validationLoss").asDouble()).isFinite();
        assertThat(curve.get(0).has("validationLoss")).isFalse();
        assertThat(curve.get(11).get("loss").asDouble()).as("the loss falls")
                .isLessThan(curve.get(0).get("loss").asDouble());
        assertThat(done.getProgress().percent()).isEqualTo(100.0);

        Model output = models.findById(done.getOutputModelId()).orElseThrow();
        assertThat(output.getParentId()).isEqualTo(input.getId());
        Path folder = Path.of(output.getPath());
        JsonNode written = JsonMapper.shared().readTree(folder.resolve(DistillStage.LOSS_CURVE_FILE).toFile());
        assertThat(written).isEqualTo(curve);
        assertThat(Files.readAllBytes(folder.resolve(DistillStage.LOSS_CURVE_CHART))).as("a PNG")
                .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        assertThat(folder.resolve(DistillStage.ADAPTER_FOLDER)).doesNotExist();
    }

    /** A registered test model whose tokenizer_config.json has the chat template {@code template}. */
    private Model chatModel(String template) throws IOException {
        String name = "chat-" + UUID.randomUUID().toString().substring(0, 8);
        Path folder = storage.modelRoots().getFirst().resolve(name);
        TestModels.write(folder, Family.LLAMA, 42, TestModels.options());
        AnimalConversations.addTemplate(folder, template);
        return catalog.register(name, folder.toString());
    }

    private List<FieldProblem> problemsOf(String stage, Path folder) throws IOException {
        try {
            stageTypes.parse(JsonMapper.shared().readTree("[" + stage + "]"), "stages", ModelConfig.load(folder), folder);
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        return List.of();
    }

    @Test
    void sftOnConversationsTrainsOnTheirFinalAssistantTurnsAsTheModelsChatTemplateRendersThem() throws IOException {
        Model input = chatModel(AnimalConversations.TEMPLATE);
        Job done = run(input, """
                [{"type": "DISTILL", "method": "sft", "data": {"dataset": "%s"}, "training": %s}]"""
                .formatted(AnimalConversations.register(datasetCatalog, storage), TRAINING));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode result = result(done);
        assertThat(result.get("trainingExamples").asInt()).isEqualTo(9);
        assertThat(result.get("skippedExamples").asInt()).isZero();
        JsonNode curve = result.get("lossCurve");
        assertThat(curve.get(11).get("loss").asDouble()).as("the loss falls")
                .isLessThan(curve.get(0).get("loss").asDouble());
    }

    @Test
    void selfDistillationOnConversationsRegistersConversationsEndingInTheTeachersAnswers() throws IOException {
        Model input = chatModel(AnimalConversations.TEMPLATE);
        Job done = run(input, """
                [{"type": "DISTILL", "method": "self-distill", "maxNewTokens": 4, "stopStrings": [], "check": "always",
                  "data": {"dataset": "%s"}, "training": %s}]"""
                .formatted(AnimalConversations.register(datasetCatalog, storage), TRAINING));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode self = result(done).get("selfDistilled");
        assertThat(self.get("teacherKept").asInt()).isEqualTo(ANIMALS.length);
        Dataset regenerated = datasets.findById(UUID.fromString(self.get("datasetId").asString())).orElseThrow();
        List<String> lines = Files.readAllLines(Path.of(regenerated.getPath()));
        assertThat(lines).hasSize(ANIMALS.length);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JsonMapper.shared().readTree(lines.get(i));
            assertThat(line.has("prompt")).isFalse();
            JsonNode messages = line.get("messages");
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0).get("content").asString()).isEqualTo(AnimalConversations.question(i));
            assertThat(messages.get(1).get("role").asString()).isEqualTo("assistant");
            assertThat(messages.get(1).get("content").asString()).isEqualTo(line.get("teacherResponse").asString());
        }
    }

    @Test
    void conversationsAreRefusedOnAModelWithoutAChatTemplateOrWithOneThatRaises() throws IOException {
        Path folder = Path.of(testJobs.model().getPath());
        String chat = AnimalConversations.register(datasetCatalog, storage);
        String stage = """
                {"type": "DISTILL", "method": "sft", "data": {"dataset": "%s"}}""".formatted(chat);

        assertThat(problemsOf(stage, folder)).containsExactly(new FieldProblem("stages[0].data.dataset", "'" + chat
                + "' holds conversations (chat form), but the model has no chat template to render them: its "
                + "tokenizer_config.json has no chat_template (and there is no chat_template.jinja)"));
        AnimalConversations.addTemplate(folder, "{{ raise_exception('this model does not chat') }}");
        assertThat(problemsOf(stage, folder)).containsExactly(new FieldProblem("stages[0].data.dataset",
                "the first conversation of '" + chat + "': the chat template raised an exception: this model does not chat"));
        AnimalConversations.addTemplate(folder, AnimalConversations.TEMPLATE);
        assertThat(problemsOf(stage, folder)).isEmpty();
    }

    @Test
    void conversationsAfterAnotherStageOnAModelWithoutAChatTemplateFailTheStageSayingSo() throws IOException {
        Job done = run(testJobs.model(), """
                [{"type": "PRUNE", "method": "magnitude", "sparsity": 0.5},
                 {"type": "DISTILL", "method": "sft", "data": {"dataset": "%s"}, "training": %s}]"""
                .formatted(AnimalConversations.register(datasetCatalog, storage), TRAINING));

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("holds conversations (chat form), but the model has no chat template");
    }

    @Test
    void aTemplateThatRaisesOnALaterConversationFailsTheStageNamingTheExample() throws IOException {
        Model input = chatModel("{% for m in messages %}{% if m.content == 'the pig.' %}"
                + "{{ raise_exception('no pigs') }}{% endif %}{% endfor %}" + AnimalConversations.TEMPLATE);
        Job done = run(input, """
                [{"type": "DISTILL", "method": "sft", "data": {"dataset": "%s"}, "training": %s}]"""
                .formatted(AnimalConversations.register(datasetCatalog, storage), TRAINING));

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("data: example 12: the chat template raised an exception: no pigs");
    }

    @Test
    void selfDistillationRegistersTheRegeneratedDatasetAndCountsBothOutcomes() throws IOException {
        Model input = testJobs.model();
        String original = animalDataset();
        Job done = run(input, """
                [{"type": "DISTILL", "method": "self-distill", "maxNewTokens": 4, "stopStrings": [], "check": "always",
                  "template": "{prompt} (reference:{response}) A:",
                  "data": {"dataset": "%s", "promptField": "q", "responseField": "a"}, "training": %s}]"""
                .formatted(original, TRAINING));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode self = result(done).get("selfDistilled");
        assertThat(result(done).get("teacher").asString()).as("the default teacher: the lineage's root")
                .isEqualTo(input.getName());
        assertThat(self.get("teacherKept").asInt() + self.get("originalKept").asInt()).isEqualTo(ANIMALS.length);
        Dataset regenerated = datasets.findById(UUID.fromString(self.get("datasetId").asString())).orElseThrow();
        assertThat(regenerated.getRecordCount()).isEqualTo(ANIMALS.length);
        List<String> lines = Files.readAllLines(Path.of(regenerated.getPath()));
        int kept = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JsonMapper.shared().readTree(lines.get(i));
            assertThat(line.get("prompt").asString()).isEqualTo(AnimalDataset.prompt(i));
            if (line.get("teacherKept").asBoolean()) {
                kept++;
                assertThat(line.get("response").asString()).isEqualTo(line.get("teacherResponse").asString()).isNotBlank();
            } else {
                assertThat(line.get("response").asString()).isEqualTo(AnimalDataset.response(i));
            }
        }
        assertThat(kept).isEqualTo(self.get("teacherKept").asInt());
    }

    @Test
    void logitDistillationThroughLoraChangesOnlyTheTargetsAndWritesTheMergedModelAndAPeftAdapter() throws IOException {
        Model input = testJobs.model();
        Model teacher = registeredModel(7, TestModels.options().vocab());
        Job done = run(input, """
                [{"type": "DISTILL", "method": "logits", "teacher": "%s", "temperature": 2.0, "alpha": 0.25,
                  "adapter": {"type": "lora", "rank": 4, "alpha": 8, "dropout": 0, "targets": ["q_proj", "v_proj"]},
                  "data": {"builtIn": "knowledge-qa", "limit": 24},
                  "training": {"steps": 6, "learningRate": 1e-2, "batchTokens": 128, "maxLength": 64, "seed": 3}}]"""
                .formatted(teacher.getName()));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode result = result(done);
        assertThat(result.get("teacher").asString()).isEqualTo(teacher.getName());
        assertThat(result.get("outputs").get("adapter").asString()).isEqualTo(DistillStage.ADAPTER_FOLDER);
        Path folder = Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath());
        assertThat(folder.resolve(DistillStage.ADAPTER_FOLDER).resolve(LoraModel.ADAPTER_CONFIG)).isRegularFile();
        assertThat(folder.resolve(DistillStage.ADAPTER_FOLDER).resolve(LoraModel.ADAPTER_WEIGHTS)).isRegularFile();
        try (Checkpoint before = Checkpoint.open(Path.of(input.getPath())); Checkpoint after = Checkpoint.open(folder)) {
            for (String name : before.names()) {
                boolean target = name.endsWith("q_proj.weight") || name.endsWith("v_proj.weight");
                if (target) {
                    assertThat(after.floats(name)).as(name).isNotEqualTo(before.floats(name));
                } else {
                    assertThat(after.floats(name)).as(name).containsExactly(before.floats(name));
                }
            }
        }
    }

    @Test
    void aPrunedModelsZerosStayExactlyZeroAndTheDefaultTeacherIsTheDenseRoot() throws IOException {
        Model dense = testJobs.model();
        Job pruned = run(dense, """
                [{"type": "PRUNE", "method": "magnitude", "nm": "2:4"}]""");
        assertThat(pruned.getStatus()).as(pruned.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        Model student = models.findById(pruned.getOutputModelId()).orElseThrow();

        Job done = run(student, """
                [{"type": "DISTILL", "method": "logits", "alpha": 0.5,
                  "data": {"dataset": "%s", "promptField": "q", "responseField": "a"},
                  "training": {"steps": 10, "learningRate": 1e-2, "weightDecay": 0.1, "batchTokens": 96,
                               "maxLength": 48, "seed": 5}}]""".formatted(animalDataset()));

        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result(done).get("teacher").asString()).isEqualTo(dense.getName());
        Path folder = Path.of(models.findById(done.getOutputModelId()).orElseThrow().getPath());
        try (Checkpoint before = Checkpoint.open(Path.of(student.getPath())); Checkpoint after = Checkpoint.open(folder)) {
            int zeros = 0;
            for (String name : before.names()) {
                float[] was = before.floats(name);
                float[] now = after.floats(name);
                boolean changed = false;
                for (int i = 0; i < was.length; i++) {
                    if (was[i] == 0) {
                        zeros++;
                        assertThat(Float.floatToRawIntBits(now[i])).as("%s[%d]", name, i).isZero();
                    }
                    changed |= now[i] != was[i];
                }
                assertThat(changed).as(name + " learned").isTrue();
            }
            assertThat(zeros).as("the 2:4 zeros").isPositive();
        }
    }

    @Test
    void aCancelStopsTheTrainingBetweenUpdatesAndLeavesNoModel() throws IOException {
        Job job = testJobs.submit(testJobs.model(), """
                [{"type": "DISTILL", "method": "sft",
                  "data": {"dataset": "%s", "promptField": "q", "responseField": "a"},
                  "training": {"steps": 100000, "batchTokens": 96, "maxLength": 48}}]""".formatted(animalDataset()));
        testWorkers.start();
        Job training = testJobs.await(job.getId(), j -> j.getStatus().isFinal() || j.getProgress().stageName() != null
                && j.getProgress().stageName().endsWith("train") && j.getProgress().unitDone() >= 3, WAIT);
        assertThat(training.getProgress().unitTotal()).isEqualTo(100000);
        assertThat(training.getProgress().message()).contains("loss", "tokens/s", "s left");

        queue.requestCancel(job.getId());
        Job done = testJobs.await(job.getId(), j -> j.getStatus().isFinal(), WAIT);

        assertThat(done.getStatus()).isEqualTo(JobStatus.CANCELLED);
        assertThat(done.getProgress().unitDone()).isLessThan(100000);
        assertThat(done.getOutputModelId()).isNull();
    }

    @Test
    void aSubmissionIsCheckedAgainstTheRegistryAndTheStudent() throws IOException {
        Model student = testJobs.model();
        ModelConfig config = ModelConfig.load(Path.of(student.getPath()));
        Model otherVocabulary = registeredModel(3, 300);
        String dataset = animalDataset();

        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "logits", "teacher": "%s", "data": {"dataset": "%s", "promptField": "q",
                 "responseField": "a"}}""".formatted(otherVocabulary.getName(), dataset), config))
                .containsExactly(new FieldProblem("stages[0].teacher", "the teacher '" + otherVocabulary.getName()
                        + "' has a vocabulary of 300 tokens, the student 320; teacher and student must share one"));
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "sft", "data": {"dataset": "%s"},
                 "adapter": {"type": "lora", "targets": ["q_proj", "qkv_proj"]}}""".formatted(dataset), config))
                .extracting(FieldProblem::field)
                .containsExactlyInAnyOrder("stages[0].data.promptField", "stages[0].data.responseField");
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "sft", "data": {"builtIn": "knowledge-qa"},
                 "adapter": {"type": "lora", "targets": ["q_proj", "qkv_proj"]}}""", config))
                .extracting(FieldProblem::field).containsExactly("stages[0].adapter.targets[1]");
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "self-distill", "teacher": "no-such-model", "template": "no prompt",
                 "data": {"dataset": "no-such-dataset"}, "training": {"steps": 10, "epochs": 1}}""",
                config))
                .extracting(FieldProblem::field).containsExactlyInAnyOrder("stages[0].teacher", "stages[0].template",
                        "stages[0].data.dataset", "stages[0].training.epochs");
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "sft", "data": {"builtIn": "knowledge-qa", "limit": 0},
                 "training": {"learningRate": 2, "gradientAccumulation": 0}}""", config))
                .extracting(FieldProblem::field).containsExactlyInAnyOrder("stages[0].data.limit",
                        "stages[0].training.learningRate", "stages[0].training.gradientAccumulation");
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "sft", "temperature": 2, "data": {"builtIn": "knowledge-qa"}}""", config))
                .extracting(FieldProblem::field).containsExactly("stages[0].temperature");
        assertThat(problemsOf("""
                {"type": "DISTILL", "method": "kd", "data": {"builtIn": "knowledge-qa"}}""", config))
                .containsExactly(new FieldProblem("stages[0].method", "unknown 'kd'; one of sft, self-distill, logits"));
    }
}
