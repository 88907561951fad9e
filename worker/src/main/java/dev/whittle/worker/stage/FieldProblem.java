package dev.whittle.worker.stage;

/** What is wrong with one field of a request, by its path in the request body (e.g. {@code stages[1].sparsity}). */
public record FieldProblem(String field, String message) {
}
