package dev.whittle.api.models;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.model.Model;
import dev.whittle.engine.inspect.ModelReport;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * A registered model.
 *
 * @param parentId       the model it was made from, if a job made it
 * @param producingJobId the job that made it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelView(UUID id, String name, String path, String family,
                        @Schema(implementation = ModelReport.Architecture.class) JsonNode architecture, long parameterCount,
                        long sizeBytes, int files, UUID parentId, UUID producingJobId, Instant createdAt) {

    public static ModelView of(Model m) {
        return new ModelView(m.getId(), m.getName(), m.getPath(), m.getFamily(), m.getArchitecture(),
                m.getParameterCount(), m.getSizeBytes(), m.getFiles().size(), m.getParentId(), m.getProducingJobId(),
                m.getCreatedAt());
    }
}
