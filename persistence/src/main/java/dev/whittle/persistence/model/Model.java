package dev.whittle.persistence.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;
import dev.whittle.persistence.AssignedIdEntity;
import dev.whittle.persistence.team.TeamScope;

/**
 * A registered model folder (Hugging Face layout: config.json plus safetensors). Either registered by a user,
 * or written by a job, in which case {@code producingJobId} and {@code parentIds} record where it came from: the job's
 * input model first, then any other model the job made it from (the models a MERGE merged). {@code parentId} is the
 * first parent, kept for those who read one.
 */
@Entity
@Table(name = "model")
public class Model extends AssignedIdEntity {

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
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "model_parent", joinColumns = @JoinColumn(name = "model_id"))
    @OrderColumn(name = "position")
    @Column(name = "parent_id")
    private List<UUID> parentIds;
    private UUID producingJobId;
    private Instant createdAt;
    /** The team it belongs to ({@link TeamScope}): whoever made it. */
    private String ownerTeam;

    protected Model() {
    }

    /** A model made from {@code parentIds} (distinct, the first being the job's input; empty for a user's model). */
    public Model(String name, String path, String family, JsonNode architecture, long parameterCount,
                 List<ModelFile> files, List<UUID> parentIds, UUID producingJobId) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.path = path;
        this.family = family;
        this.architecture = architecture;
        this.parameterCount = parameterCount;
        this.files = List.copyOf(files);
        this.sizeBytes = files.stream().mapToLong(ModelFile::bytes).sum();
        this.parentIds = new ArrayList<>(new LinkedHashSet<>(parentIds));
        this.parentId = parentIds.isEmpty() ? null : parentIds.getFirst();
        this.producingJobId = producingJobId;
        this.createdAt = Instant.now();
        this.ownerTeam = TeamScope.owner();
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

    /** Every model this one was made from, the first ({@link #getParentId()}) first; empty for a user's model. */
    public List<UUID> getParentIds() {
        return List.copyOf(parentIds);
    }

    public UUID getProducingJobId() {
        return producingJobId;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getOwnerTeam() {
        return ownerTeam;
    }
}
