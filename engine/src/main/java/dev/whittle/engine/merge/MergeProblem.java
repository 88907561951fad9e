package dev.whittle.engine.merge;

/** One thing wrong with a merge request, against the field it concerns ({@code weights}, {@code models[1]}). */
public record MergeProblem(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
