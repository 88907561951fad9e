package dev.whittle.api.models;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.model.Model;
import dev.whittle.engine.inspect.ModelReport;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * A registered model.
 *
 * @param parentId       the model it was made from, if a job made it: the job's input model (its first parent)
 * @param parentIds      every model it was made from, the first parent first (a MERGE's output lists each model
 *                       merged); empty for a model a user registered
 * @param producingJobId the job that made it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelView(UUID id, String name, String path, String family,
                        @Schema(implementation = ModelReport.Architecture.class) JsonNode architecture, long parameterCount,
                        long sizeBytes, int files, UUID parentId, List<UUID> parentIds, UUID producingJobId,
                        Instant createdAt) {

    public static ModelView of(Model m) {
        return new ModelView(m.getId(), m.getName(), m.getPath(), m.getFamily(), m.getArchitecture(),
                m.getParameterCount(), m.getSizeBytes(), m.getFiles().size(), m.getParentId(), m.getParentIds(),
                m.getProducingJobId(), m.getCreatedAt());
    }
}
