package dev.whittle.api.docs;

import java.util.List;

import dev.whittle.worker.stage.StageTypes;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document (/v3/api-docs, Swagger UI at /swagger-ui.html). Stage types are discovered at run time:
 * {@link StageSchemas} types recipes and results from the registry. {@code api/src/main/openapi/whittle.json} is
 * the committed snapshot that the generated clients are built from ({@code scripts/contract-check.sh}).
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String BEARER = "bearer";

    @Bean
    OpenAPI whittleOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Whittle")
                .version("v1")
                .description("""
                        Compress large language models as a service. Register a model folder, submit a job (a recipe of
                        stages), follow its progress and events, read its result. Errors are RFC 9457 problem details
                        (application/problem+json) listing the offending fields under `errors`.

                        Every call needs `Authorization: Bearer <key>` (an API key, or a JWT where single sign-on is
                        on); Swagger UI's Authorize button takes it. A key acts for one team and sees only its things."""))
                // Swagger UI's Authorize button, and every operation marked as needing the key
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API key (wh_...) from POST /api/v1/keys or the bootstrap key; or a JWT")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                // fixed, not the request's host and port, so the document is the same wherever it is served
                .servers(List.of(new Server().url("http://localhost:8080").description("./whittle run's default")));
    }

    /** One customizer, so the passes run in order: the tidy pass sees the stage schemas and the problem schema. */
    @Bean
    OpenApiCustomizer whittleSchemas(StageTypes stageTypes) {
        List<OpenApiCustomizer> passes = List.of(new ProblemResponses(), new StageSchemas(stageTypes), new SchemaTidy());
        return openApi -> passes.forEach(pass -> pass.customise(openApi));
    }
}
