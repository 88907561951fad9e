package dev.whittle.api.problems;

import java.util.List;

import dev.whittle.worker.stage.FieldProblem;

/** An error the API reports as a problem of a given type. */
public class ApiException extends RuntimeException {

    private final Problems problem;
    private final List<FieldProblem> errors;

    public ApiException(Problems problem, String detail) {
        this(problem, detail, List.of());
    }

    public ApiException(Problems problem, String detail, List<FieldProblem> errors) {
        super(detail);
        this.problem = problem;
        this.errors = List.copyOf(errors);
    }

    public static ApiException notFound(String what) {
        return new ApiException(Problems.NOT_FOUND, what + " not found");
    }

    public Problems problem() {
        return problem;
    }

    public List<FieldProblem> errors() {
        return errors;
    }
}
