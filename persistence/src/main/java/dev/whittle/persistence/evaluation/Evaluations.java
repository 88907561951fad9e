package dev.whittle.persistence.evaluation;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/**
 * Evaluations. "On a model" means run on the registered model itself, or run by the job that wrote the model on
 * what that job wrote (such evaluations have no model id while the job runs).
 */
public interface Evaluations extends JpaRepository<Evaluation, UUID> {

    String ON_MODEL = """
            (e.model_id = cast(:modelId as uuid)
             or (e.model_id is null and e.job_id is not null
                 and e.job_id = (select m.producing_job_id from model m where m.id = cast(:modelId as uuid))))
            """;

    /** The latest evaluation of a registered model that can stand in for a new run: same task version, limit and seed. */
    @Query(value = """
            select * from evaluation e
            where e.model_id = :modelId and e.task = :task and e.task_version = :version
              and e.sample_limit = :limit and e.seed is not distinct from cast(:seed as bigint)
            order by e.created_at desc limit 1
            """, nativeQuery = true)
    Optional<Evaluation> findReusable(UUID modelId, String task, int version, int limit, Long seed);

    /** Evaluations newest first, each filter applied when not null. */
    @Query(value = """
            select * from evaluation e
            where (cast(:modelId as uuid) is null or """ + ON_MODEL + """
            ) and (cast(:task as text) is null or e.task = cast(:task as text))
              and (cast(:jobId as uuid) is null or e.job_id = cast(:jobId as uuid))
            order by e.created_at desc, e.id
            """, countQuery = """
            select count(*) from evaluation e
            where (cast(:modelId as uuid) is null or """ + ON_MODEL + """
            ) and (cast(:task as text) is null or e.task = cast(:task as text))
              and (cast(:jobId as uuid) is null or e.job_id = cast(:jobId as uuid))
            """, nativeQuery = true)
    Page<Evaluation> search(UUID modelId, String task, UUID jobId, Pageable pageable);

    /** The latest evaluation of each task on the model, by task name. */
    @Query(value = """
            select distinct on (e.task) * from evaluation e
            where """ + ON_MODEL + """
            order by e.task, e.created_at desc
            """, nativeQuery = true)
    List<Evaluation> findLatestPerTask(UUID modelId);
}
