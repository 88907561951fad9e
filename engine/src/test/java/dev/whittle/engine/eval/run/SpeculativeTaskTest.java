package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.generate.Generator;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in speculative task on a tiny model pair: a target and its copy with a block removed. */
class SpeculativeTaskTest {

    static final int LIMIT = 2;

    @TempDir
    static Path tmp;
    static Decoder target;
    static Decoder pruned;
    static Tokenizer tokenizer;
    static TaskDefinition task;

    @BeforeAll
    static void load() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 21, TestModels.options().layers(3));
        target = DecoderLoader.load(dir, Progress.NONE);
        tokenizer = Tokenizer.load(dir);
        pruned = target.withoutBlocks(List.of(2));
        task = TaskRegistry.builtIn().task("ref-speculative");
    }

    @Test
    void aPrunedDraftReportsEachDraftLengthWithMeanAcceptedLengthsInOneToKPlusOne() throws IOException {
        TaskResult result = new Evaluator(pruned, tokenizer, DatasetResolver.builtinOnly(), target)
                .evaluate(task, EvaluationSettings.defaults().withLimit(LIMIT), Progress.NONE);

        assertThat(result.samples()).isEqualTo(LIMIT);
        assertThat(result.groups().keySet())
                .containsExactly("k=1", "k=2", "k=3", "k=4", "k=5", "k=6", "k=7", "k=8", "adaptive");
        for (int k = 1; k <= 8; k++) {
            Map<String, MetricValue> group = result.groups().get("k=" + k);
            assertThat(group.get("mean_accepted_length").value()).as("k=%d", k).isBetween(1.0, k + 1.0);
            assertThat(group.get("acceptance_rate").value()).as("k=%d", k).isBetween(0.0, 1.0);
            assertThat(group.get("speedup").value()).as("k=%d", k).isPositive();
        }
        // The adaptive length is capped at the longest k; every stop rule's rounds are counted.
        Map<String, MetricValue> adaptive = result.groups().get("adaptive");
        assertThat(adaptive.get("mean_accepted_length").value()).isBetween(1.0, 9.0);
        assertThat(adaptive.get("acceptance_rate").value()).isBetween(0.0, 1.0);
        assertThat(result.details().get("adaptive_mean_draft_length").doubleValue()).isBetween(1.0, 8.0);
        assertThat(result.details().keySet()).contains("adaptive_rounds_max_length", "adaptive_rounds_confidence",
                "adaptive_rounds_margin", "adaptive_rounds_entropy", "adaptive_rounds_cumulative");
        int bestK = result.details().get("best_k").intValue();
        assertThat(result.metrics()).isEqualTo(result.groups().get("k=" + bestK));
        assertThat(result.primaryMetric()).isEqualTo(Metric.MEAN_ACCEPTED_LENGTH);
        // Greedy verification: every sample's tokens are the target's own.
        assertThat(result.details().get("mismatches")).isEqualTo(0);
        assertThat(result.records()).allSatisfy(r -> assertThat(r.correct()).isTrue());
    }

    @Test
    void eachSampleOutputIsTheTargetsGreedyGeneration() throws IOException {
        TaskResult result = new Evaluator(pruned, tokenizer, DatasetResolver.builtinOnly(), target)
                .evaluate(task, new EvaluationSettings(1, null, 8, true), Progress.NONE);

        SampleRecord first = result.records().getFirst();
        Generator.Result alone = new Generator(target, tokenizer).generate(tokenizer.encode(first.prompt(), true),
                Generator.Settings.greedy(task.request().maxTokens()), s -> { }, Progress.NONE);
        assertThat(first.output()).isEqualTo(alone.text().strip());
    }

    @Test
    void aDraftIdenticalToTheTargetAcceptsEverything() throws IOException {
        TaskResult result = new Evaluator(target, tokenizer, DatasetResolver.builtinOnly(), target)
                .evaluate(task, EvaluationSettings.defaults().withLimit(LIMIT), Progress.NONE);

        for (int k = 1; k <= 8; k++) {
            Map<String, MetricValue> group = result.groups().get("k=" + k);
            assertThat(group.get("acceptance_rate").value()).as("k=%d", k).isEqualTo(1.0);
            assertThat(group.get("mean_accepted_length").value()).as("k=%d", k).isEqualTo(k + 1.0);
        }
        assertThat(result.groups().get("adaptive").get("acceptance_rate").value()).isEqualTo(1.0);
    }

    @Test
    void withoutATargetTheTaskIsRefused() {
        Evaluator alone = new Evaluator(pruned, tokenizer, DatasetResolver.builtinOnly());

        assertThatThrownBy(() -> alone.evaluate(task, EvaluationSettings.defaults().withLimit(1), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    }
}
