package dev.whittle.persistence.job;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;
import dev.whittle.persistence.AssignedIdEntity;
import dev.whittle.persistence.team.TeamScope;

/**
 * A submitted job: a recipe of stages to run on a model, and where it stands. Created here; every later
 * change goes through {@link JobQueue}, whose statements are fenced by the lease so that concurrent
 * workers and API calls cannot overwrite each other.
 */
@Entity
@Table(name = "job")
public class Job extends AssignedIdEntity {

    @Id
    private UUID id;
    private String name;
    private UUID modelId;
    /** The recipe as submitted and validated: {@code {"stages": [{"type": ..., params...}, ...]}}. */
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode recipe;
    @JdbcTypeCode(SqlTypes.JSON)
    private Map<String, String> labels;
    private String callbackUrl;
    @Enumerated(EnumType.STRING)
    private JobStatus status;
    private String idempotencyKey;
    private String requestHash;

    private int attempt;
    private int maxAttempts;
    private String workerId;
    private Instant leaseExpiresAt;
    private Instant heartbeatAt;
    private Long batchExecutionId;

    @Embedded
    private JobProgress progress;

    private Instant createdAt;
    /** The team it belongs to ({@link TeamScope}): whoever made it. */
    private String ownerTeam;
    private Instant queuedAt;
    private Instant startedAt;
    private Instant finishedAt;
    private Instant updatedAt;

    private String errorCode;
    private String errorMessage;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode result;
    private UUID outputModelId;

    @Enumerated(EnumType.STRING)
    private CallbackState callbackState;
    private int callbackAttempts;
    private Instant callbackNextAt;

    protected Job() {
    }

    /** A new job, queued. */
    public Job(String name, UUID modelId, JsonNode recipe, int stageCount, Map<String, String> labels,
               String callbackUrl, int maxAttempts, String idempotencyKey, String requestHash) {
        Instant now = Instant.now();
        this.id = UUID.randomUUID();
        this.name = name;
        this.modelId = modelId;
        this.recipe = recipe;
        this.labels = Map.copyOf(labels);
        this.callbackUrl = callbackUrl;
        this.status = JobStatus.QUEUED;
        this.idempotencyKey = idempotencyKey;
        this.requestHash = requestHash;
        this.maxAttempts = maxAttempts;
        this.progress = JobProgress.notStarted(stageCount);
        this.createdAt = now;
        this.ownerTeam = TeamScope.owner();
        this.queuedAt = now;
        this.updatedAt = now;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public UUID getModelId() {
        return modelId;
    }

    public JsonNode getRecipe() {
        return recipe;
    }

    public Map<String, String> getLabels() {
        return labels;
    }

    public String getCallbackUrl() {
        return callbackUrl;
    }

    public JobStatus getStatus() {
        return status;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }

    public String getRequestHash() {
        return requestHash;
    }

    public int getAttempt() {
        return attempt;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public String getWorkerId() {
        return workerId;
    }

    public Instant getLeaseExpiresAt() {
        return leaseExpiresAt;
    }

    public Instant getHeartbeatAt() {
        return heartbeatAt;
    }

    public Long getBatchExecutionId() {
        return batchExecutionId;
    }

    public JobProgress getProgress() {
        return progress;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getQueuedAt() {
        return queuedAt;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public String getErrorCode() {
        return errorCode;
    }

    public String getErrorMessage() {
        return errorMessage;
    }

    public JsonNode getResult() {
        return result;
    }

    public UUID getOutputModelId() {
        return outputModelId;
    }

    public CallbackState getCallbackState() {
        return callbackState;
    }

    public int getCallbackAttempts() {
        return callbackAttempts;
    }

    public Instant getCallbackNextAt() {
        return callbackNextAt;
    }

    public String getOwnerTeam() {
        return ownerTeam;
    }
}
