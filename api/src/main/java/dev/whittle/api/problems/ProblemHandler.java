package dev.whittle.api.problems;

import java.net.URI;
import java.util.List;

import dev.whittle.persistence.outage.DatabaseOutage;
import dev.whittle.worker.models.DuplicateNameException;
import dev.whittle.worker.models.InvalidModelFolderException;
import dev.whittle.worker.models.ModelFileUnavailableException;
import dev.whittle.worker.models.ModelInUseException;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.stage.StrictJson;
import dev.whittle.worker.storage.OutsideRootsException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DatabindException;

/**
 * Turns every error into an RFC 9457 problem: Spring MVC's own (unsupported media type, unknown route, ...)
 * through the base class, and Whittle's with the offending fields listed under {@code errors}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request) {
        ProblemDetail problem = at(e.problem().detail(e.getMessage(), e.errors()), request);
        HttpHeaders headers = new HttpHeaders();
        e.headers().forEach(headers::set);
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    /** A registered file gone or leading out of the roots is not there to serve (404); one rewritten conflicts (409). */
    @ExceptionHandler(ModelFileUnavailableException.class)
    ProblemDetail unavailableFile(ModelFileUnavailableException e, HttpServletRequest request) {
        return at((e.changed() ? Problems.CONFLICT : Problems.NOT_FOUND).detail(e.getMessage()), request);
    }

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e, HttpServletRequest request) {
        String detail = e.problems().size() == 1 ? e.getMessage() : e.problems().size() + " fields are invalid: " + e.getMessage();
        return at(Problems.INVALID_REQUEST.detail(detail, e.problems()), request);
    }

    @ExceptionHandler(OutsideRootsException.class)
    ProblemDetail outsideRoots(OutsideRootsException e, HttpServletRequest request) {
        return at(Problems.INVALID_REQUEST.detail("path " + e.getMessage(), List.of(new FieldProblem("path", e.getMessage()))), request);
    }

    @ExceptionHandler(InvalidModelFolderException.class)
    ProblemDetail invalidModel(InvalidModelFolderException e, HttpServletRequest request) {
        return at(Problems.INVALID_REQUEST.detail("Not a usable model folder: " + e.getMessage(),
                List.of(new FieldProblem("path", e.getMessage()))), request);
    }

    @ExceptionHandler(DuplicateNameException.class)
    ProblemDetail duplicate(DuplicateNameException e, HttpServletRequest request) {
        return at(Problems.CONFLICT.detail(e.getMessage(), List.of(new FieldProblem("name", "is already taken"))), request);
    }

    @ExceptionHandler(ModelInUseException.class)
    ProblemDetail inUse(ModelInUseException e, HttpServletRequest request) {
        return at(Problems.CONFLICT.detail(e.getMessage()), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail badParameter(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String expected = e.getRequiredType() == null ? "" : " (expected " + describe(e.getRequiredType()) + ")";
        return at(Problems.BAD_PARAMETER.detail("'" + e.getValue() + "' is not a valid " + e.getName() + expected,
                List.of(new FieldProblem(e.getName(), "invalid value '" + e.getValue() + "'" + expected))), request);
    }

    /** A request parameter out of its bounds ({@code page=-1}, {@code size=0}): 422 naming it with the bound. */
    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail parameterOutOfBounds(ConstraintViolationException e, HttpServletRequest request) {
        List<FieldProblem> problems = e.getConstraintViolations().stream()
                .map(v -> new FieldProblem(leaf(v.getPropertyPath()), v.getMessage()))
                .sorted(java.util.Comparator.comparing(FieldProblem::field)).toList();
        return at(Problems.INVALID_REQUEST.detail(describe(problems), problems), request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> problems = e.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(error -> new FieldProblem(
                        r.getMethodParameter().getParameterName() == null ? "$" : parameterName(r),
                        error.getDefaultMessage())))
                .sorted(java.util.Comparator.comparing(FieldProblem::field)).toList();
        ProblemDetail problem = Problems.INVALID_REQUEST.detail(describe(problems), problems);
        return handleExceptionInternal(e, problem, headers, Problems.INVALID_REQUEST.status(), request);
    }

    /** The name a client gave the parameter ({@code @RequestParam("x")}), else the Java parameter's name. */
    private static String parameterName(org.springframework.validation.method.ParameterValidationResult r) {
        var param = r.getMethodParameter().getParameterAnnotation(org.springframework.web.bind.annotation.RequestParam.class);
        return param != null && !param.name().isEmpty() ? param.name() : r.getMethodParameter().getParameterName();
    }

    private static String describe(List<FieldProblem> problems) {
        return problems.stream().map(p -> p.field() + ": " + p.message()).collect(java.util.stream.Collectors.joining("; "));
    }

    /** The last node of a method-validation path ({@code list.page} -> {@code page}). */
    private static String leaf(jakarta.validation.Path path) {
        String name = "$";
        for (jakarta.validation.Path.Node node : path) {
            name = node.getName();
        }
        return name;
    }

    /** How long a client should wait before trying again while the database cannot be reached. */
    public static final String RETRY_AFTER_SECONDS = "5";
    /** What a 503 for an unreachable database says, wherever it is answered (here, or before a key is checked). */
    public static final String DATABASE_UNAVAILABLE_DETAIL =
            "The database cannot be reached just now; try again in a few seconds.";

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        if (DatabaseOutage.causes(e)) {
            // Nobody's fault and passing: 503 at once (the pool gives up within its short connection timeout), whether
            // the server is down or the pool is saturated (then it sheds the load).
            log.warn("Database unavailable serving {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
            return ResponseEntity.status(Problems.DATABASE_UNAVAILABLE.status())
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                    .body(at(Problems.DATABASE_UNAVAILABLE.detail(DATABASE_UNAVAILABLE_DETAIL), request));
        }
        log.error("Unexpected error serving {} {}", request.getMethod(), request.getRequestURI(), e);
        ProblemDetail problem = at(Problems.INTERNAL.detail("The server failed to handle this request; it has been logged."), request);
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    /** Unreadable bodies: too large (413), malformed (400), or well-formed with a field of the wrong type (422). */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        ProblemDetail problem;
        Throwable cause = e.getCause();
        if (causedBy(e, PayloadTooLargeException.class) != null) {
            problem = Problems.PAYLOAD_TOO_LARGE.detail(causedBy(e, PayloadTooLargeException.class).getMessage());
            headers.set(HttpHeaders.CONNECTION, "close");
        } else if (cause instanceof DatabindException d && d.getPath() != null && !d.getPath().isEmpty()) {
            FieldProblem field = StrictJson.problem(d, "");
            problem = Problems.INVALID_REQUEST.detail(field.field() + ": " + field.message(), List.of(field));
        } else if (cause instanceof JacksonException j) {
            TokenStreamLocation where = j.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            problem = Problems.MALFORMED_JSON.detail("The body is not valid JSON" + at + ": " + plain(j.getOriginalMessage()));
        } else {
            problem = Problems.MALFORMED_JSON.detail("The request body is missing or unreadable: " + e.getMostSpecificCause().getMessage());
        }
        return handleExceptionInternal(e, problem, headers, problem.getStatus() == 0 ? status
                : HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    /** Jackson's message without its note on where the enclosing object started (the location is given already). */
    private static String plain(String message) {
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return first.replaceAll("\\s*\\(start marker at \\[Source:.*$", "");
    }

    private static ProblemDetail at(ProblemDetail problem, HttpServletRequest request) {
        problem.setInstance(URI.create(request.getRequestURI()));
        return problem;
    }

    private static <T extends Throwable> T causedBy(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Class<?> type) {
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants());
        }
        return type.getSimpleName().toLowerCase();
    }
}
