package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.eval.metric.Metric;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How a task asks the model: as lm-evaluation-harness's output types. */
public enum RequestType {
    /** Multiple choice: the log-likelihood of each choice after the prompt. */
    LOGLIKELIHOOD(Metric.Kind.CHOICE),
    /** Greedy generation after the prompt until a stop string, end of sequence or the token limit. */
    GENERATE_UNTIL(Metric.Kind.GENERATION),
    /** Rolling-window perplexity of whole texts. */
    ROLLING_PERPLEXITY(Metric.Kind.PERPLEXITY),
    /**
     * The model drafts for a target model in greedy speculative decoding after each prompt, for each draft length;
     * needs the target (see {@code Evaluator}).
     */
    SPECULATIVE(Metric.Kind.SPECULATIVE);

    private final Metric.Kind metricKind;

    RequestType(Metric.Kind metricKind) {
        this.metricKind = metricKind;
    }

    /** Whether the task runs a second model beside the one evaluated (the target the evaluated model drafts for). */
    public boolean needsTarget() {
        return this == SPECULATIVE;
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The metrics this request type can produce. */
    public List<Metric> metrics() {
        return Metric.of(metricKind);
    }

    public static Optional<RequestType> byId(String id) {
        return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(RequestType::id).toList();
    }
}
