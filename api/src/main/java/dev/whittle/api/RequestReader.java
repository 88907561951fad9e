package dev.whittle.api;

import java.util.List;

import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.StrictJson;
import jakarta.validation.Validator;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Reads a JSON request body into its record the way every endpoint does: strictly (unknown fields and wrong
 * types refused), then checked against the record's Bean Validation annotations, every problem at its field.
 */
@Component
public class RequestReader {

    private final Validator validator;

    public RequestReader(Validator validator) {
        this.validator = validator;
    }

    public <T> T read(JsonNode body, Class<T> type) {
        T request = readUnvalidated(body, type);
        List<FieldProblem> problems = problems(request);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return request;
    }

    /** Strict reading only; the caller adds {@link #problems} to checks of its own. */
    public <T> T readUnvalidated(JsonNode body, Class<T> type) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException("$", "the body must be a JSON object");
        }
        return StrictJson.read(body, type, "");
    }

    public <T> List<FieldProblem> problems(T request) {
        return validator.validate(request).stream()
                .map(v -> new FieldProblem(v.getPropertyPath().toString(), v.getMessage()))
                .sorted(java.util.Comparator.comparing(FieldProblem::field))
                .toList();
    }
}
