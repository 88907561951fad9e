package dev.whittle.api.reports;

import java.util.List;
import java.util.OptionalDouble;

import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.persistence.evaluation.EvaluationSamples;
import dev.whittle.persistence.evaluation.Evaluation;
import tools.jackson.databind.JsonNode;

/**
 * What a model scores on a task by guessing: 1/k on a k-way log-likelihood choice, 0 for generated answers; none for
 * perplexities (and other lower-is-better metrics). A retention against a reference that scores no better than this
 * measures noise, so the comparison leaves the task out of the average.
 */
final class ChanceLevel {

    /** How many standard errors above chance a score must be to count as above it. */
    static final double STANDARD_ERRORS = 2;

    private ChanceLevel() {
    }

    /** The chance score of {@code evaluation}'s task on {@code metric}; empty where there is none. */
    static OptionalDouble of(Evaluation evaluation, Metric metric, EvaluationSamples samples) {
        if (!metric.higherIsBetter()) {
            return OptionalDouble.empty();
        }
        return switch (evaluation.getRequestType()) {
            case "generate_until" -> OptionalDouble.of(0);
            case "loglikelihood" -> {
                int choices = choices(evaluation, samples);
                yield choices > 0 ? OptionalDouble.of(1.0 / choices) : OptionalDouble.empty();
            }
            default -> OptionalDouble.empty();
        };
    }

    /**
     * Why a reference scoring {@code reference} sits at chance ({@code chance}), or null when it is clearly above it
     * (more than {@value #STANDARD_ERRORS} standard errors).
     */
    static String reason(MetricValue reference, double chance) {
        double margin = STANDARD_ERRORS * (reference.stderr() == null ? 0 : reference.stderr());
        if (reference.value() > chance + margin) {
            return null;
        }
        String score = String.format("%.3f", reference.value())
                + (reference.stderr() == null ? "" : String.format(" ± %.3f", reference.stderr()));
        return chance == 0 ? "the reference scores " + score + ", no better than zero"
                : String.format("the reference scores %s, no better than chance (%.3f)", score, chance);
    }

    /** The fixed choices of the task, or those of its first sample. */
    private static int choices(Evaluation evaluation, EvaluationSamples samples) {
        JsonNode request = evaluation.getTaskDefinition() == null ? null : evaluation.getTaskDefinition().get("request");
        if (request != null && request.has("choices") && request.get("choices").isArray()) {
            return request.get("choices").size();
        }
        List<JsonNode> first = samples.page(evaluation.getId(), null, 0, 1);
        JsonNode choices = first.isEmpty() ? null : first.getFirst().get("choices");
        return choices == null || !choices.isArray() ? 0 : choices.size();
    }
}
