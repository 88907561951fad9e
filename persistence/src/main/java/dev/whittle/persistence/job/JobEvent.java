package dev.whittle.persistence.job;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;

/**
 * One entry of a job's append-only log: state changes, stage boundaries, progress, callback deliveries.
 * Ids grow with time, so "events after id N" is how readers (pages, the SSE stream) resume.
 */
@Entity
@Table(name = "job_event")
public class JobEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private UUID jobId;
    private Instant at;
    @Enumerated(EnumType.STRING)
    private EventLevel level;
    private String type;
    private String message;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode data;

    protected JobEvent() {
    }

    public JobEvent(UUID jobId, EventLevel level, String type, String message, JsonNode data) {
        this.jobId = jobId;
        this.at = Instant.now();
        this.level = level;
        this.type = type;
        this.message = message;
        this.data = data;
    }

    public Long getId() {
        return id;
    }

    public UUID getJobId() {
        return jobId;
    }

    public Instant getAt() {
        return at;
    }

    public EventLevel getLevel() {
        return level;
    }

    public String getType() {
        return type;
    }

    public String getMessage() {
        return message;
    }

    public JsonNode getData() {
        return data;
    }
}
