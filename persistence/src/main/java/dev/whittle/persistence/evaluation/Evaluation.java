package dev.whittle.persistence.evaluation;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;
import dev.whittle.persistence.team.TeamScope;

/**
 * One task run on one model by an EVALUATE stage: the task's definition as run, its metrics with standard errors
 * (overall, per group, macro), what the model looked like (parameters, non-zeros, MACs per token) and, when a
 * baseline was evaluated, the retention of the headline metric against it. The per-sample records are in
 * {@link EvaluationSamples}.
 */
@Entity
@Table(name = "evaluation")
public class Evaluation {

    @Id
    private UUID id;
    private UUID jobId;
    private Integer stageIndex;
    private UUID modelId;
    private String task;
    private int taskVersion;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode taskDefinition;
    private String requestType;
    private String primaryMetric;
    private int sampleLimit;
    private Long seed;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode metrics;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode groups;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode macro;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode details;
    private int samples;
    private int available;
    private int truncated;
    private double seconds;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode modelStats;
    private UUID baselineId;
    /** The baseline's model; for a speculative task (no baseline), the target the evaluated model drafted for. */
    private UUID baselineModelId;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode retention;
    private Instant createdAt;
    /** The team it belongs to ({@link TeamScope}): whoever made it. */
    private String ownerTeam;

    protected Evaluation() {
    }

    /**
     * @param modelId     the evaluated model if it is registered; null for a model the job wrote
     * @param sampleLimit the limit the task ran with (0: all samples)
     */
    public Evaluation(UUID jobId, Integer stageIndex, UUID modelId, String task, int taskVersion, JsonNode taskDefinition,
                      String requestType, String primaryMetric, int sampleLimit, Long seed, JsonNode metrics,
                      JsonNode groups, JsonNode macro, JsonNode details, int samples, int available, int truncated,
                      double seconds, JsonNode modelStats) {
        this.id = UUID.randomUUID();
        this.jobId = jobId;
        this.stageIndex = stageIndex;
        this.modelId = modelId;
        this.task = task;
        this.taskVersion = taskVersion;
        this.taskDefinition = taskDefinition;
        this.requestType = requestType;
        this.primaryMetric = primaryMetric;
        this.sampleLimit = sampleLimit;
        this.seed = seed;
        this.metrics = metrics;
        this.groups = groups;
        this.macro = macro;
        this.details = details;
        this.samples = samples;
        this.available = available;
        this.truncated = truncated;
        this.seconds = seconds;
        this.modelStats = modelStats;
        this.createdAt = Instant.now();
        this.ownerTeam = TeamScope.owner();
    }

    /** Records the baseline this evaluation was compared with and the retention of its headline metric. */
    public void compareWith(Evaluation baseline, JsonNode retention) {
        this.baselineId = baseline.getId();
        this.baselineModelId = baseline.getModelId();
        this.retention = retention;
    }

    /**
     * Records the model a speculative result was a draft for: that target is what the result is measured against,
     * so it goes where a baseline's model would (there is no baseline result, and no retention).
     */
    public void draftedFor(UUID targetModelId) {
        this.baselineModelId = targetModelId;
    }

    public UUID getId() {
        return id;
    }

    public UUID getJobId() {
        return jobId;
    }

    public Integer getStageIndex() {
        return stageIndex;
    }

    public UUID getModelId() {
        return modelId;
    }

    public String getTask() {
        return task;
    }

    public int getTaskVersion() {
        return taskVersion;
    }

    public JsonNode getTaskDefinition() {
        return taskDefinition;
    }

    public String getRequestType() {
        return requestType;
    }

    public String getPrimaryMetric() {
        return primaryMetric;
    }

    public int getSampleLimit() {
        return sampleLimit;
    }

    public Long getSeed() {
        return seed;
    }

    public JsonNode getMetrics() {
        return metrics;
    }

    public JsonNode getGroups() {
        return groups;
    }

    public JsonNode getMacro() {
        return macro;
    }

    public JsonNode getDetails() {
        return details;
    }

    public int getSamples() {
        return samples;
    }

    public int getAvailable() {
        return available;
    }

    public int getTruncated() {
        return truncated;
    }

    public double getSeconds() {
        return seconds;
    }

    public JsonNode getModelStats() {
        return modelStats;
    }

    public UUID getBaselineId() {
        return baselineId;
    }

    public UUID getBaselineModelId() {
        return baselineModelId;
    }

    public JsonNode getRetention() {
        return retention;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getOwnerTeam() {
        return ownerTeam;
    }
}
