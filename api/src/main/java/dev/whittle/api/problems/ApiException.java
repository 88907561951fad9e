package dev.whittle.api.problems;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.whittle.worker.stage.FieldProblem;

/** An error the API reports as a problem of a given type. */
public class ApiException extends RuntimeException {

    private final Problems problem;
    private final List<FieldProblem> errors;
    private final Map<String, String> headers = new LinkedHashMap<>();

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

    /** Adds a response header to the problem (416's Content-Range). */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problems problem() {
        return problem;
    }

    public List<FieldProblem> errors() {
        return errors;
    }
}
