package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.task.RequestType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ComparisonTest {

    @Test
    void retentionIsTakenPerTaskOnItsHeadlineMetricAndAveragedOverTasks() {
        List<TaskResult> dense = List.of(
                result("wikitext2-perplexity", 1, Metric.TOKEN_PERPLEXITY, 10),
                result("mcr-qa", 1, Metric.ACC, 0.60),
                result("factoid-qa", 1, Metric.LENIENT_MATCH, 0.0),
                result("only-dense", 1, Metric.ACC, 0.5));
        List<TaskResult> compressed = List.of(
                result("wikitext2-perplexity", 1, Metric.TOKEN_PERPLEXITY, 12.5),
                result("mcr-qa", 1, Metric.ACC, 0.45),
                result("factoid-qa", 1, Metric.LENIENT_MATCH, 0.0));

        Comparison c = Comparison.of(compressed, dense);

        assertThat(c.tasks()).extracting(Comparison.TaskRetention::task)
                .containsExactly("wikitext2-perplexity", "mcr-qa", "factoid-qa");
        assertThat(c.tasks().get(0).retention().value()).isCloseTo(0.8, within(1e-12));
        assertThat(c.tasks().get(1).retention().value()).isCloseTo(0.75, within(1e-12));
        assertThat(c.tasks().get(2).retention()).isNull();
        assertThat(c.average().value()).isCloseTo(0.775, within(1e-12));
    }

    @Test
    void resultsOfDifferentTaskVersionsAreNotCompared() {
        assertThatThrownBy(() -> Comparison.of(List.of(result("t", 2, Metric.ACC, 0.5)), List.of(result("t", 1, Metric.ACC, 0.5))))
                .hasMessage("task t: version 2 cannot be compared with version 1");
    }

    private static TaskResult result(String task, int version, Metric metric, double value) {
        RequestType type = metric == Metric.ACC ? RequestType.LOGLIKELIHOOD
                : metric == Metric.TOKEN_PERPLEXITY ? RequestType.ROLLING_PERPLEXITY : RequestType.GENERATE_UNTIL;
        return new TaskResult(task, version, type, metric, Map.of(metric.id(), new MetricValue(value, null)), Map.of(),
                Map.of(), 10, 10, 0, 1.0, Map.of(), List.of());
    }
}
