package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.task.RequestType;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in tasks run from the classpath as defined, on a tiny random model. */
class BuiltinTasksTest {

    @TempDir
    static Path tmp;
    static Evaluator evaluator;

    @BeforeAll
    static void load() throws IOException {
        Path model = tmp.resolve("model");
        TestModels.write(model, Family.QWEN2, 5, TestModels.options());
        Decoder decoder = DecoderLoader.load(model, Progress.NONE);
        evaluator = new Evaluator(decoder, Tokenizer.load(model), DatasetResolver.builtinOnly());
    }

    @Test
    void mcrQaPromptsTheFirstAbstractAlgebraQuestionExactlyAsTheOriginalFiveShotMmluEvaluation() throws IOException {
        TaskResult result = evaluator.evaluate(TaskRegistry.builtIn().task("mcr-qa"),
                EvaluationSettings.defaults().withLimit(1), Progress.NONE);

        SampleRecord first = result.records().getFirst();
        assertThat(first.docId()).isEqualTo("abstract_algebra/test/0");
        assertThat(first.prompt()).isEqualTo("""
                The following are multiple choice questions (with answers) about abstract algebra.

                Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.
                A. 0
                B. 1
                C. 2
                D. 3
                Answer: B

                Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K are \
                subgroups of G then HK is a subgroup of G.
                A. True, True
                B. False, False
                C. True, False
                D. False, True
                Answer: B

                Statement 1 | Every element of a group generates a cyclic subgroup of the group. Statement 2 | The \
                symmetric group S_10 has 10 elements.
                A. True, True
                B. False, False
                C. True, False
                D. False, True
                Answer: C

                Statement 1| Every function from a finite set onto itself must be one to one. Statement 2 | Every \
                subgroup of an abelian group is abelian.
                A. True, True
                B. False, False
                C. True, False
                D. False, True
                Answer: A

                Find the characteristic of the ring 2Z.
                A. 0
                B. 3
                C. 12
                D. 30
                Answer: A

                Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.
                A. 0
                B. 4
                C. 2
                D. 6
                Answer:""");
        assertThat(first.choices()).extracting(ChoiceScore::text).containsExactly("A", "B", "C", "D");
        assertThat(first.target()).isEqualTo("B");
        assertThat(result.available()).isEqualTo(1405);
    }

    @Test
    void theKickSuiteRunsEveryTaskWithALimit() throws IOException {
        TaskRegistry registry = TaskRegistry.builtIn();

        List<TaskResult> results = evaluator.evaluate(registry.suite("kick"), registry,
                EvaluationSettings.defaults().withLimit(2), Progress.NONE);

        assertThat(results).extracting(TaskResult::task).containsExactly("wikitext2-perplexity", "factoid-qa", "mcr-qa",
                "icr-qa", "icr-qa-closed", "ref-closed-book-qa", "ref-multiple-choice", "ref-icr-qa");
        for (TaskResult r : results) {
            assertThat(r.samples()).as(r.task()).isEqualTo(2);
            assertThat(r.primary().value()).as(r.task()).isFinite();
            assertThat(r.records()).hasSize(2);
        }
        TaskResult perplexity = results.getFirst();
        assertThat(perplexity.requestType()).isEqualTo(RequestType.ROLLING_PERPLEXITY);
        // The test model has 512 positions: the task's 2048-token windows are capped at them.
        assertThat(perplexity.details().get("seqlen")).isEqualTo(512);
        assertThat(perplexity.primary().value()).isGreaterThan(1);
        assertThat(results.get(2).groups()).hasSize(2);
    }
}
