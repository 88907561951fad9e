package dev.whittle.api.docs;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Documents the error answers every operation can give, from what the operation takes, so no controller has to
 * repeat them: 400 (a bad query parameter or malformed JSON) where it takes parameters or a body, 404 where its path
 * names a resource, 413 and 422 where it takes a body, 401 and 403 everywhere (no key, or a role that may not); 409s
 * are declared by the operations that can conflict. Every
 * 4xx and 5xx carries the RFC 9457 {@value #PROBLEM} schema as {@code application/problem+json}, and every 201 and 202
 * its {@code Location} header.
 */
final class ProblemResponses implements OpenApiCustomizer {

    static final String PROBLEM = "Problem";
    private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.components(new io.swagger.v3.oas.models.Components());
        }
        openApi.getComponents().addSchemas(PROBLEM, problemSchema());
        if (openApi.getPaths() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openApi.getPaths().entrySet()) {
            for (Operation operation : path.getValue().readOperations()) {
                document(path.getKey(), operation);
            }
        }
    }

    private static void document(String path, Operation operation) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        boolean body = operation.getRequestBody() != null;
        boolean parameters = operation.getParameters() != null && operation.getParameters().stream()
                .anyMatch(p -> "query".equals(p.getIn()));
        if (body || parameters) {
            responses.putIfAbsent("400", new ApiResponse().description(body
                    ? "Malformed JSON, or a bad query parameter" : "A bad query parameter (named under errors)"));
        }
        if (path.contains("{")) {
            responses.putIfAbsent("404", new ApiResponse().description("No such resource"));
        }
        if (body) {
            responses.putIfAbsent("413", new ApiResponse().description("The request body is larger than whittle.api.max-request-size"));
            responses.putIfAbsent("422", new ApiResponse().description("Invalid request; the problem lists each offending field"));
        }
        responses.putIfAbsent("401", new ApiResponse().description("No key or token, or one that is unknown, revoked or expired"));
        responses.putIfAbsent("403", new ApiResponse().description("The key's role may not do this (viewers only read)"));
        responses.putIfAbsent("500", new ApiResponse().description("Unexpected server error (logged)"));
        for (Map.Entry<String, ApiResponse> response : responses.entrySet()) {
            String code = response.getKey();
            if (code.startsWith("4") || code.startsWith("5")) {
                response.getValue().setContent(new Content().addMediaType(PROBLEM_JSON,
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
            } else if (code.equals("201") || code.equals("202")) {
                response.getValue().addHeaderObject("Location", new Header()
                        .description("The URL of the resource created or accepted").schema(new StringSchema().format("uri-reference")));
            }
        }
    }

    private static Schema<?> problemSchema() {
        Schema<?> fieldProblem = new ObjectSchema()
                .addProperty("field", new StringSchema().description("Path of the offending field or parameter")
                        .example("stages[0].sparsity"))
                .addProperty("message", new StringSchema().description("What is wrong with it")
                        .example("must be in [0, 1), got 1.5"));
        fieldProblem.setRequired(List.of("field", "message"));
        Schema<?> problem = new ObjectSchema()
                .description("An RFC 9457 problem detail")
                .addProperty("type", new StringSchema().format("uri").description("The problem type")
                        .example("urn:whittle:problem:invalid-request"))
                .addProperty("title", new StringSchema().description("The problem type, in words").example("Invalid request"))
                .addProperty("status", new IntegerSchema().description("The HTTP status").example(422))
                .addProperty("detail", new StringSchema().description("What was wrong with this request")
                        .example("stages[0].sparsity: must be in [0, 1), got 1.5"))
                .addProperty("instance", new StringSchema().format("uri-reference").description("The request's path"))
                .addProperty("errors", new ArraySchema().items(fieldProblem)
                        .description("The offending fields, by path (absent when no field is to blame)"));
        problem.setRequired(List.of("type", "title", "status"));
        return problem;
    }
}
