package dev.whittle.api.docs;

import java.util.stream.Collectors;

import dev.whittle.worker.stage.StageType;
import dev.whittle.worker.stage.StageTypes;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Schema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document (/v3/api-docs, Swagger UI at /swagger-ui.html). Stage types are discovered at run time,
 * so the recipe's documentation lists them, and each one's parameters become a schema, from the registry.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    @Bean
    OpenAPI whittleOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Whittle")
                .version("v1")
                .description("""
                        Compress large language models as a service. Register a model folder, submit a job (a recipe of
                        stages), follow its progress and events, read its result. Errors are RFC 9457 problem details
                        (application/problem+json) listing the offending fields under `errors`."""));
    }

    @Bean
    OpenApiCustomizer problemResponses() {
        return new ProblemResponses();
    }

    @Bean
    OpenApiCustomizer stageTypesInRecipes(StageTypes stageTypes) {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            for (StageType<?> type : stageTypes.all()) {
                var resolved = ModelConverters.getInstance(true).readAllAsResolvedSchema(type.parametersType());
                if (resolved != null && resolved.schema != null) {
                    Schema<?> schema = resolved.schema;
                    schema.setDescription(type.description() + " Parameters of a stage {\"type\": \"" + type.name() + "\", ...}.");
                    openApi.getComponents().addSchemas(type.name() + "Stage", schema);
                    // the records a stage's parameters nest (PRUNE's calibration), and the parameter type itself
                    // under its own name, which its methods' schemas reference (allOf): referenced, so defined too
                    if (resolved.referencedSchemas != null) {
                        resolved.referencedSchemas.forEach((name, nested) ->
                                openApi.getComponents().getSchemas().putIfAbsent(name, nested));
                    }
                }
            }
            Schema<?> request = openApi.getComponents().getSchemas().get("JobRequest");
            if (request != null && request.getProperties() != null && request.getProperties().get("stages") != null) {
                String list = stageTypes.all().stream()
                        .map(t -> "`" + t.name() + "`: " + t.description() + " (parameters: schema " + t.name() + "Stage)")
                        .collect(Collectors.joining("; "));
                request.getProperties().get("stages").setDescription(
                        "Stages run in order, each an object with a type and that type's parameters. Stage types: " + list);
            }
        };
    }
}
