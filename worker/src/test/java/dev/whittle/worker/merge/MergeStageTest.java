package dev.whittle.worker.merge;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobStatus;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.StageTypes;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.TestWorkers;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The MERGE stage through the worker: each recipe on two small models against its formula written out here, the
 * lineage with every parent, and the checks of shapes at submission and at start.
 */
@WorkerTest
class MergeStageTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String Q = "model.layers.1.self_attn.q_proj.weight";

    @Autowired
    TestJobs testJobs;
    @Autowired
    StageTypes stageTypes;
    @Autowired
    Models models;

    @RegisterExtension
    final TestWorkers testWorkers = new TestWorkers();

    private Job run(Model model, String stages) {
        return testWorkers.run(model, "[" + stages + "]", WAIT);
    }

    private Model output(Job done) {
        assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo(JobStatus.SUCCEEDED);
        return models.findById(done.getOutputModelId()).orElseThrow();
    }

    private static float[] tensor(Model model, String name) throws IOException {
        try (Checkpoint checkpoint = Checkpoint.open(Path.of(model.getPath()))) {
            return checkpoint.floats(name);
        }
    }

    private List<FieldProblem> problemsOf(String stages, Model input) throws IOException {
        try {
            Path folder = Path.of(input.getPath());
            stageTypes.parse(JsonMapper.shared().readTree("[" + stages + "]"), "stages", ModelConfig.load(folder),
                    folder);
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems with " + stages);
    }

    @Test
    void aLinearMergeIsTheWeightedMeanOfEveryTensorAndHasBothModelsAsParents() throws IOException {
        Model a = testJobs.model(1, TestModels.options());
        Model b = testJobs.model(2, TestModels.options());
        Model merged = output(run(a, """
                {"type": "MERGE", "method": "linear", "models": ["%s"], "weights": [1, 3]}""".formatted(b.getName())));

        try (Checkpoint ca = Checkpoint.open(Path.of(a.getPath())); Checkpoint cb = Checkpoint.open(Path.of(b.getPath()));
             Checkpoint cm = Checkpoint.open(Path.of(merged.getPath()))) {
            assertThat(cm.names()).isEqualTo(ca.names());
            for (String name : ca.names()) {
                float[] x = ca.floats(name);
                float[] y = cb.floats(name);
                float[] m = cm.floats(name);
                for (int i = 0; i < x.length; i++) {
                    double expected = (1.0 * x[i] + 3.0 * y[i]) / 4.0;
                    assertThat((double) m[i]).as("%s[%d]", name, i).isCloseTo(expected, within(1e-6 * Math.abs(expected) + 1e-7));
                }
            }
        }
        assertThat(merged.getParentIds()).containsExactly(a.getId(), b.getId());
        assertThat(merged.getParentId()).isEqualTo(a.getId());
        assertThat(models.findAncestors(merged.getId())).extracting(Model::getId).containsExactlyInAnyOrder(a.getId(), b.getId());
        assertThat(models.findDescendants(b.getId())).extracting(Model::getId).containsExactly(merged.getId());
        assertThat(models.findDescendants(a.getId())).extracting(Model::getId).containsExactly(merged.getId());
    }

    @Test
    void aSlerpMergeFollowsTheGreatCircleBetweenTheInputAndTheOtherModel() throws IOException {
        Model a = testJobs.model(3, TestModels.options());
        Model b = testJobs.model(4, TestModels.options());
        Job done = run(a, """
                {"type": "MERGE", "method": "slerp", "models": ["%s"], "t": 0.3}""".formatted(b.getId()));
        Model merged = output(done);

        float[] x = tensor(a, Q);
        float[] y = tensor(b, Q);
        float[] m = tensor(merged, Q);
        // Two random matrices are far from parallel: the spherical formula applies, with theta between the unit vectors.
        double nx = 0, ny = 0, dot = 0;
        for (int i = 0; i < x.length; i++) {
            nx += (double) x[i] * x[i];
            ny += (double) y[i] * y[i];
            dot += (double) x[i] * y[i];
        }
        double theta = Math.acos(dot / Math.sqrt(nx * ny));
        double s0 = Math.sin(0.7 * theta) / Math.sin(theta);
        double s1 = Math.sin(0.3 * theta) / Math.sin(theta);
        for (int i = 0; i < x.length; i++) {
            double expected = s0 * x[i] + s1 * y[i];
            assertThat((double) m[i]).as("q[%d]", i).isCloseTo(expected, within(1e-5 * Math.abs(expected) + 1e-6));
        }
        JsonNode result = done.getResult().get("stages").get(0).get("result");
        assertThat(result.get("method").asString()).isEqualTo("slerp");
        assertThat(result.get("models").get(0).get("name").asString()).isEqualTo(b.getName());
        assertThat(merged.getParentIds()).containsExactly(a.getId(), b.getId());
    }

    @Test
    void aTiesMergeAddsTheSignElectedMeanOfTaskVectorsToTheBaseWhichIsAParentToo() throws IOException {
        Model base = testJobs.model(5, TestModels.options());
        Model a = testJobs.model(6, TestModels.options());
        Model b = testJobs.model(7, TestModels.options());
        Model merged = output(run(a, """
                {"type": "MERGE", "method": "ties", "models": ["%s"], "base": "%s", "weights": [1, 2]}"""
                .formatted(b.getName(), base.getName())));

        // density 1 (the default) keeps every entry of the task vectors; signs are elected by weighted mass.
        float[] o = tensor(base, Q);
        float[] x = tensor(a, Q);
        float[] y = tensor(b, Q);
        float[] m = tensor(merged, Q);
        for (int i = 0; i < o.length; i++) {
            double dx = (double) x[i] - o[i];
            double dy = 2 * ((double) y[i] - o[i]);
            double sign = Math.signum(dx + dy);
            double sum = 0;
            double weights = 0;
            if (dx != 0 && Math.signum(dx) == sign) {
                sum += dx;
                weights += 1;
            }
            if (dy != 0 && Math.signum(dy) == sign) {
                sum += dy;
                weights += 2;
            }
            double expected = o[i] + (weights == 0 ? 0 : sum / weights);
            assertThat((double) m[i]).as("q[%d]", i).isCloseTo(expected, within(1e-6 * Math.abs(expected) + 1e-7));
        }
        assertThat(merged.getParentIds()).containsExactly(a.getId(), b.getId(), base.getId());
    }

    @Test
    void anUnknownModelAndAnotherVocabularyAreRefusedAtSubmissionNamingTheFieldAndTheTensor() throws IOException {
        Model a = testJobs.model(8, TestModels.options());
        Model other = testJobs.model(9, TestModels.options().vocab(TestModels.options().vocab() + 8));
        assertThat(problemsOf("""
                {"type": "MERGE", "method": "linear", "models": ["no-such-model"]}""", a))
                .containsExactly(new FieldProblem("stages[0].models[0]", "no model with id or name 'no-such-model'"));
        List<FieldProblem> problems = problemsOf("""
                {"type": "MERGE", "method": "slerp", "models": ["%s"]}""".formatted(other.getName()), a);
        assertThat(problems).extracting(FieldProblem::field).containsExactly("stages[0].models[0]");
        assertThat(problems.getFirst().message()).containsAnyOf("'model.embed_tokens.weight'", "'lm_head.weight'");
        // A later stage's input is unknown at submission, but the named models are checked against each other.
        List<FieldProblem> later = problemsOf("""
                {"type": "INSPECT"}, {"type": "MERGE", "method": "linear", "models": ["%s", "%s"]}"""
                .formatted(a.getName(), other.getName()), a);
        assertThat(later).extracting(FieldProblem::field).containsExactly("stages[1].models[1]");
        assertThat(problemsOf("""
                {"type": "MERGE", "method": "linear", "models": ["%s"], "weights": [1]}""".formatted(a.getName()), a))
                .extracting(FieldProblem::field).containsExactly("stages[0].weights");
    }

    @Test
    void aShapeThatDiffersFromTheInputTheStageReadsFailsTheJobBeforeAnythingIsWritten() {
        Model a = testJobs.model(10, TestModels.options());
        Model wider = testJobs.model(11, TestModels.options().intermediate(128));
        // Submitted straight to the queue, past the submission check against the job's model.
        Job done = run(a, """
                {"type": "MERGE", "method": "linear", "models": ["%s"]}""".formatted(wider.getName()));

        assertThat(done.getStatus()).isEqualTo(JobStatus.FAILED);
        assertThat(done.getErrorMessage()).contains("models[0]").contains("mlp.");
        assertThat(done.getOutputModelId()).isNull();
    }
}
