package dev.whittle.persistence.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;

/**
 * A registered model folder (Hugging Face layout: config.json plus safetensors). Either registered by a user,
 * or written by a job, in which case {@code producingJobId} and {@code parentId} record where it came from.
 */
@Entity
@Table(name = "model")
public class Model {

    @Id
    private UUID id;
    private String name;
    private String path;
    private String family;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode architecture;
    private long parameterCount;
    private long sizeBytes;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<ModelFile> files;
    private UUID parentId;
    private UUID producingJobId;
    private Instant createdAt;

    protected Model() {
    }

    public Model(String name, String path, String family, JsonNode architecture, long parameterCount,
                 List<ModelFile> files, UUID parentId, UUID producingJobId) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.path = path;
        this.family = family;
        this.architecture = architecture;
        this.parameterCount = parameterCount;
        this.files = List.copyOf(files);
        this.sizeBytes = files.stream().mapToLong(ModelFile::bytes).sum();
        this.parentId = parentId;
        this.producingJobId = producingJobId;
        this.createdAt = Instant.now();
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getPath() {
        return path;
    }

    public String getFamily() {
        return family;
    }

    public JsonNode getArchitecture() {
        return architecture;
    }

    public long getParameterCount() {
        return parameterCount;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public List<ModelFile> getFiles() {
        return files;
    }

    public UUID getParentId() {
        return parentId;
    }

    public UUID getProducingJobId() {
        return producingJobId;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
