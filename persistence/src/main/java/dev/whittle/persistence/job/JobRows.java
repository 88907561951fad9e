package dev.whittle.persistence.job;

import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's two hot paths on table {@code job}, one plain SQL statement each: inserting a job just submitted, and
 * reading a job with its models' names and its team (what every {@code GET /jobs/{id}} does, polled by every client
 * that waits for a job). Through Hibernate each cost a transaction around it, and the entity's load or insert (with
 * its JSON columns copied for dirty checking) cost more than the rest of the request's database work.
 */
@Repository
public class JobRows {

    private static final String SELECT = """
            select j.*, mi.name as input_model_name, mo.name as output_model_name from job j
            left join model mi on mi.id = j.model_id
            left join model mo on mo.id = j.output_model_id
            where j.id = ?""";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcTemplate jdbc;

    public JobRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A job and the names of its input and output models (null where there is none, or it was deleted). */
    public record Named(Job job, String inputModelName, String outputModelName) {
    }

    private static final String INSERT = """
            insert into job (id, name, model_id, recipe, labels, callback_url, status, idempotency_key, request_hash,
                             attempt, max_attempts, stage_index, stage_count, stage_name, unit_done, unit_total, percent,
                             progress_message, eta, created_at, owner_team, queued_at, updated_at, callback_attempts)
            values (?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /** The SQL types of INSERT's parameters: a null of unknown type costs pgjdbc a round trip to learn its type. */
    private static final int[] INSERT_TYPES = {Types.OTHER, Types.VARCHAR, Types.OTHER, Types.VARCHAR, Types.VARCHAR,
            Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.INTEGER, Types.INTEGER, Types.INTEGER,
            Types.INTEGER, Types.VARCHAR, Types.BIGINT, Types.BIGINT, Types.DOUBLE, Types.VARCHAR,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.INTEGER};

    /**
     * Inserts {@code job}, new and not yet started (as {@link Job}'s public constructor makes it), in one statement:
     * committed when it returns unless the caller's transaction holds it. A job under an idempotency key its team
     * used already is refused with a {@link org.springframework.dao.DuplicateKeyException}.
     */
    public Job insert(Job job) {
        JobProgress p = job.getProgress();
        Object[] values = {job.getId(), job.getName(), job.getModelId(), JSON.writeValueAsString(job.getRecipe()),
                JSON.writeValueAsString(job.getLabels()), job.getCallbackUrl(), job.getStatus().name(),
                job.getIdempotencyKey(), job.getRequestHash(), job.getAttempt(), job.getMaxAttempts(), p.stageIndex(),
                p.stageCount(), p.stageName(), p.unitDone(), p.unitTotal(), p.percent(), p.message(), time(p.eta()),
                time(job.getCreatedAt()), job.getOwnerTeam(), time(job.getQueuedAt()), time(job.getUpdatedAt()),
                job.getCallbackAttempts()};
        jdbc.update(INSERT, values, INSERT_TYPES);
        job.inserted();
        return job;
    }

    private static OffsetDateTime time(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    /** The job with this id, whichever team owns it ({@link Job#getOwnerTeam()} is for the caller to check). */
    public Optional<Named> find(UUID id) {
        return jdbc.query(SELECT, (row, i) -> new Named(Job.read(row, JSON), row.getString("input_model_name"),
                row.getString("output_model_name")), id).stream().findFirst();
    }
}
