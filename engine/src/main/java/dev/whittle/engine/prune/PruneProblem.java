package dev.whittle.engine.prune;

/**
 * One thing wrong with a pruning request, against the field it concerns ({@code sparsity}, {@code nm},
 * {@code include[0]}, {@code calibration.seqlen}): what the API answers with a 422.
 */
public record PruneProblem(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
