package dev.whittle.persistence.experiment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.job.JobStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Experiments and their trials, in SQL. State changes that the scheduler and the API could race on take the
 * experiment's row lock first ({@link #lockRunning}, {@link #lockForCancel}) and are made in the caller's transaction.
 */
@Component
@Transactional
public class Experiments {

    private static final String TRIALS = """
            select t.*, j.status as job_status, j.started_at as job_started_at, j.finished_at as job_finished_at,
                   j.percent as job_percent, j.eta as job_eta
            from experiment_trial t left join job j on j.id = t.job_id
            """;

    private final JdbcClient jdbc;

    public Experiments(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new RUNNING experiment and its trials (none submitted). */
    public Experiment create(UUID id, String name, UUID modelId, JsonNode request, int maxParallel, int maxFailedTrials,
                             List<TrialSpec> trials) {
        jdbc.sql("""
                        insert into experiment (id, name, model_id, request, max_parallel, max_failed_trials, status,
                                                created_at, updated_at)
                        values (:id, :name, :model, cast(:request as json), :parallel, :failed, 'RUNNING', now(), now())
                        """)
                .param("id", id).param("name", name).param("model", modelId).param("request", request.toString())
                .param("parallel", maxParallel).param("failed", maxFailedTrials).update();
        for (int i = 0; i < trials.size(); i++) {
            TrialSpec t = trials.get(i);
            jdbc.sql("""
                            insert into experiment_trial (experiment_id, idx, baseline, settings, job_request)
                            values (:id, :idx, :baseline, cast(:settings as json), cast(:job as jsonb))
                            """)
                    .param("id", id).param("idx", i).param("baseline", t.baseline())
                    .param("settings", t.settings().toString()).param("job", t.jobRequest().toString()).update();
        }
        return find(id).orElseThrow();
    }

    /** A trial to store: whether it is the baseline, its axis values, the job it submits. */
    public record TrialSpec(boolean baseline, JsonNode settings, JsonNode jobRequest) {
    }

    @Transactional(readOnly = true)
    public Optional<Experiment> find(UUID id) {
        return jdbc.sql("select * from experiment where id = :id").param("id", id).query(Experiments::experiment).optional();
    }

    /** Newest first. */
    @Transactional(readOnly = true)
    public List<Experiment> page(int page, int size) {
        return jdbc.sql("select * from experiment order by created_at desc, id limit :size offset :offset")
                .param("size", size).param("offset", (long) page * size).query(Experiments::experiment).list();
    }

    @Transactional(readOnly = true)
    public long count() {
        return jdbc.sql("select count(*) from experiment").query(Long.class).single();
    }

    /** The experiment's trials in grid order, each with its job's state. */
    @Transactional(readOnly = true)
    public List<Trial> trials(UUID experimentId) {
        return jdbc.sql(TRIALS + " where t.experiment_id = :id order by t.idx").param("id", experimentId)
                .query(Experiments::trial).list();
    }

    /** The experiments still running, oldest first: the scheduler's work list. */
    @Transactional(readOnly = true)
    public List<UUID> running() {
        return jdbc.sql("select id from experiment where status = 'RUNNING' order by created_at")
                .query(UUID.class).list();
    }

    /**
     * Locks a running experiment for topping up; empty when it is no longer running or another process holds it
     * (that process tops it up instead).
     */
    public Optional<Experiment> lockRunning(UUID id) {
        return jdbc.sql("select * from experiment where id = :id and status = 'RUNNING' for update skip locked")
                .param("id", id).query(Experiments::experiment).optional();
    }

    /** Locks the experiment, waiting for a scheduler that holds it; empty when there is none. */
    public Optional<Experiment> lockForCancel(UUID id) {
        return jdbc.sql("select * from experiment where id = :id for update").param("id", id)
                .query(Experiments::experiment).optional();
    }

    /** Records the job a trial submitted, or why it could not (then {@code jobId} is null). */
    public void submitted(UUID experimentId, int index, UUID jobId, String error) {
        int updated = jdbc.sql("""
                        update experiment_trial set job_id = :job, error = :error, submitted_at = now()
                        where experiment_id = :id and idx = :idx and submitted_at is null
                        """)
                .param("id", experimentId).param("idx", index).param("job", jobId).param("error", error).update();
        if (updated != 1) {
            throw new IllegalStateException("trial " + index + " of experiment " + experimentId + " was already submitted");
        }
        touch(experimentId);
    }

    /** Ends a running experiment; false when it was not running. */
    public boolean end(UUID id, ExperimentStatus status, String message) {
        return jdbc.sql("""
                        update experiment set status = :status, message = :message, finished_at = now(), updated_at = now()
                        where id = :id and status = 'RUNNING'
                        """)
                .param("id", id).param("status", status.name()).param("message", message).update() == 1;
    }

    private void touch(UUID id) {
        jdbc.sql("update experiment set updated_at = now() where id = :id").param("id", id).update();
    }

    private static Experiment experiment(ResultSet rs, int row) throws SQLException {
        return new Experiment(rs.getObject("id", UUID.class), rs.getString("name"), rs.getObject("model_id", UUID.class),
                json(rs.getString("request")), rs.getInt("max_parallel"), rs.getInt("max_failed_trials"),
                ExperimentStatus.valueOf(rs.getString("status")), rs.getString("message"), instant(rs, "created_at"),
                instant(rs, "updated_at"), instant(rs, "finished_at"));
    }

    private static Trial trial(ResultSet rs, int row) throws SQLException {
        String status = rs.getString("job_status");
        Double percent = rs.getObject("job_percent") == null ? null : rs.getDouble("job_percent");
        return new Trial(rs.getObject("experiment_id", UUID.class), rs.getInt("idx"), rs.getBoolean("baseline"),
                json(rs.getString("settings")), json(rs.getString("job_request")), rs.getObject("job_id", UUID.class),
                instant(rs, "submitted_at"), rs.getString("error"), status == null ? null : JobStatus.valueOf(status),
                instant(rs, "job_started_at"), instant(rs, "job_finished_at"), percent,
                instant(rs, "job_eta"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static JsonNode json(String text) {
        return text == null ? null : JsonMapper.shared().readTree(text);
    }
}
