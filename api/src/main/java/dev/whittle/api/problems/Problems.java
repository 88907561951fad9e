package dev.whittle.api.problems;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.whittle.worker.stage.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * The problem types (RFC 9457) the API answers with. Each has a stable {@code type} URI and title; the detail
 * says what was wrong with this request, and {@code errors} lists the offending fields by path.
 */
public enum Problems {
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "Malformed JSON"),
    BAD_PARAMETER(HttpStatus.BAD_REQUEST, "Bad request parameter"),
    INVALID_REQUEST(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid request"),
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused with another request"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Unauthorized"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "Forbidden"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),
    CONFLICT(HttpStatus.CONFLICT, "Conflict"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
    RANGE_NOT_SATISFIABLE(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "Range not satisfiable"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    DATABASE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "Database unavailable"),
    OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "Too many requests in progress");

    private final HttpStatus status;
    private final String title;

    Problems(HttpStatus status, String title) {
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return URI.create("urn:whittle:problem:" + name().toLowerCase().replace('_', '-'));
    }

    public ProblemDetail detail(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type());
        problem.setTitle(title);
        return problem;
    }

    /**
     * Answers {@code request} with this problem, outside Spring MVC (filters, security's entry points), in the same
     * form as {@link ProblemHandler}'s answers.
     */
    public void write(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type().toString());
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        body.put("instance", request.getRequestURI());
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JsonMapper.shared().writeValueAsString(body));
    }

    /** A problem listing {@code errors} as {@code [{field, message}]}. */
    public ProblemDetail detail(String detail, List<FieldProblem> errors) {
        ProblemDetail problem = detail(detail);
        problem.setProperty("errors", errors);
        return problem;
    }
}
