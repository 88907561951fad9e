package dev.whittle.persistence.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
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
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
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

    /**
     * The job in the current row of {@code row} (a {@code select *} of table {@code job}), read in plain SQL by
     * {@link JobRows}: to show, not to save (Hibernate does not know it).
     */
    static Job read(ResultSet row, JsonMapper json) throws SQLException {
        Job job = new Job();
        job.id = row.getObject("id", UUID.class);
        job.name = row.getString("name");
        job.modelId = row.getObject("model_id", UUID.class);
        job.recipe = json.readTree(row.getString("recipe"));
        job.labels = json.readValue(row.getString("labels"), LABELS);
        job.callbackUrl = row.getString("callback_url");
        job.status = JobStatus.valueOf(row.getString("status"));
        job.idempotencyKey = row.getString("idempotency_key");
        job.requestHash = row.getString("request_hash");
        job.attempt = row.getInt("attempt");
        job.maxAttempts = row.getInt("max_attempts");
        job.workerId = row.getString("worker_id");
        job.leaseExpiresAt = instant(row, "lease_expires_at");
        job.heartbeatAt = instant(row, "heartbeat_at");
        job.batchExecutionId = row.getObject("batch_execution_id", Long.class);
        job.progress = new JobProgress(row.getObject("stage_index", Integer.class), row.getInt("stage_count"),
                row.getString("stage_name"), row.getObject("unit_done", Long.class),
                row.getObject("unit_total", Long.class), row.getObject("percent", Double.class),
                row.getString("progress_message"), instant(row, "eta"));
        job.createdAt = instant(row, "created_at");
        job.ownerTeam = row.getString("owner_team");
        job.queuedAt = instant(row, "queued_at");
        job.startedAt = instant(row, "started_at");
        job.finishedAt = instant(row, "finished_at");
        job.updatedAt = instant(row, "updated_at");
        job.errorCode = row.getString("error_code");
        job.errorMessage = row.getString("error_message");
        String result = row.getString("result");
        job.result = result == null ? null : json.readTree(result);
        job.outputModelId = row.getObject("output_model_id", UUID.class);
        String callbackState = row.getString("callback_state");
        job.callbackState = callbackState == null ? null : CallbackState.valueOf(callbackState);
        job.callbackAttempts = row.getInt("callback_attempts");
        job.callbackNextAt = instant(row, "callback_next_at");
        job.saved();
        return job;
    }

    /** Inserted in plain SQL by {@link JobRows}: saving it again updates the row. */
    void inserted() {
        saved();
    }

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime t = row.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
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
