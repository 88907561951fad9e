package dev.whittle.persistence.evaluation;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;
import dev.whittle.persistence.team.TeamScope;

/** A task a user registered: its definition as JSON (read and checked by the engine's task definitions). */
@Entity
@Table(name = "eval_task")
@IdClass(EvaluationTask.Key.class)
public class EvaluationTask {

    /** Names are unique per team: a team may register a task another team has under the same name. */
    public record Key(String ownerTeam, String name) {
    }

    @Id
    private String name;
    private int version;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode definition;
    private Instant createdAt;
    /** The team it belongs to ({@link TeamScope}): whoever made it. */
    @Id
    private String ownerTeam;

    protected EvaluationTask() {
    }

    public EvaluationTask(String name, int version, JsonNode definition) {
        this.name = name;
        this.version = version;
        this.definition = definition;
        this.createdAt = Instant.now();
        this.ownerTeam = TeamScope.owner();
    }

    public String getName() {
        return name;
    }

    public int getVersion() {
        return version;
    }

    public JsonNode getDefinition() {
        return definition;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getOwnerTeam() {
        return ownerTeam;
    }
}
