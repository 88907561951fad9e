package dev.whittle.engine.train.finetune;

/**
 * One thing wrong with a DISTILL request, against the field it concerns ({@code training.steps},
 * {@code adapter.targets[0]}, {@code teacher}): what the API answers with a 422.
 */
public record DistillProblem(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
