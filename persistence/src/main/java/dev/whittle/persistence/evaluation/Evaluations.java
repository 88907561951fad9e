package dev.whittle.persistence.evaluation;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/**
 * Evaluations. "On a model" means with its model id: run on the registered model itself, or run by the job that
 * wrote the model on what that job wrote (such evaluations have no model id while the job runs, and get it when
 * the job registers the model; see {@link #attributeToModel}).
 */
public interface Evaluations extends JpaRepository<Evaluation, UUID> {

    // In parentheses: the text blocks it is joined to lose their trailing spaces.
    String ON_MODEL = "(e.model_id = cast(:modelId as uuid))\n";

    /**
     * Gives the evaluations job {@code jobId} made of the model it wrote at stage {@code writtenAt} (those of later
     * stages without a model id) that model's id, {@code modelId}, now it is registered. Returns how many.
     */
    @Modifying
    @Query(value = """
            update evaluation set model_id = :modelId
            where job_id = :jobId and model_id is null and stage_index > :writtenAt
            """, nativeQuery = true)
    int attributeToModel(UUID jobId, int writtenAt, UUID modelId);

    /**
     * The latest evaluation of a registered model that can stand in for a new run: same task version, limit and seed,
     * seen by {@code team} (null: by anyone).
     */
    @Query(value = """
            select * from evaluation e
            where e.model_id = :modelId and e.task = :task and e.task_version = :version
              and e.sample_limit = :limit and e.seed is not distinct from cast(:seed as bigint)
              and (cast(:team as text) is null or e.owner_team in (cast(:team as text), 'shared'))
            order by e.created_at desc limit 1
            """, nativeQuery = true)
    Optional<Evaluation> findReusable(UUID modelId, String task, int version, int limit, Long seed, String team);

    /** Evaluations newest first, each filter applied when not null (team: that team's and the shared ones). */
    @Query(value = """
            select * from evaluation e
            where (cast(:modelId as uuid) is null or """ + ON_MODEL + """
            ) and (cast(:task as text) is null or e.task = cast(:task as text))
              and (cast(:jobId as uuid) is null or e.job_id = cast(:jobId as uuid))
              and (cast(:team as text) is null or e.owner_team in (cast(:team as text), 'shared'))
            order by e.created_at desc, e.id
            """, countQuery = """
            select count(*) from evaluation e
            where (cast(:modelId as uuid) is null or """ + ON_MODEL + """
            ) and (cast(:task as text) is null or e.task = cast(:task as text))
              and (cast(:jobId as uuid) is null or e.job_id = cast(:jobId as uuid))
              and (cast(:team as text) is null or e.owner_team in (cast(:team as text), 'shared'))
            """, nativeQuery = true)
    Page<Evaluation> search(UUID modelId, String task, UUID jobId, String team, Pageable pageable);

    /** The latest evaluation of each task on the model, by task name, seen by {@code team} (null: by anyone). */
    @Query(value = """
            select distinct on (e.task) * from evaluation e
            where """ + ON_MODEL + """
              and (cast(:team as text) is null or e.owner_team in (cast(:team as text), 'shared'))
            order by e.task, e.created_at desc
            """, nativeQuery = true)
    List<Evaluation> findLatestPerTask(UUID modelId, String team);
}
