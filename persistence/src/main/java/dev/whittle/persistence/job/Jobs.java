package dev.whittle.persistence.job;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Jobs, for submitting and reading. Changes to a job's state go through {@link JobQueue}. */
public interface Jobs extends JpaRepository<Job, UUID> {

    /** The job team {@code ownerTeam} submitted under this idempotency key (keys are unique per team). */
    Optional<Job> findByOwnerTeamAndIdempotencyKey(String ownerTeam, String idempotencyKey);

    /**
     * Jobs newest first, each filter applied when not null: status, input model, a stage type that occurs in
     * the recipe, labels (a JSON object the job's labels must contain, e.g. {@code {"team":"nlp"}}), and the owning
     * team.
     */
    @Query(value = """
            select * from job j
            where (cast(:status as text) is null or j.status = cast(:status as text))
              and (cast(:modelId as uuid) is null or j.model_id = cast(:modelId as uuid))
              and (cast(:stageType as text) is null
                   or j.recipe -> 'stages' @> jsonb_build_array(jsonb_build_object('type', cast(:stageType as text))))
              and (cast(:labels as jsonb) is null or j.labels @> cast(:labels as jsonb))
              and (cast(:team as text) is null or j.owner_team = cast(:team as text))
            order by j.created_at desc, j.id
            """, countQuery = """
            select count(*) from job j
            where (cast(:status as text) is null or j.status = cast(:status as text))
              and (cast(:modelId as uuid) is null or j.model_id = cast(:modelId as uuid))
              and (cast(:stageType as text) is null
                   or j.recipe -> 'stages' @> jsonb_build_array(jsonb_build_object('type', cast(:stageType as text))))
              and (cast(:labels as jsonb) is null or j.labels @> cast(:labels as jsonb))
              and (cast(:team as text) is null or j.owner_team = cast(:team as text))
            """, nativeQuery = true)
    Page<Job> search(String status, UUID modelId, String stageType, String labels, String team, Pageable pageable);

    /** The jobs on model {@code modelId} (as input) that have not ended. */
    @Query(value = "select * from job where model_id = :modelId and status in ('QUEUED', 'RUNNING', 'CANCELLING')",
            nativeQuery = true)
    List<Job> findUnfinishedOn(UUID modelId);

    /** How many jobs are in each status (statuses with no job are absent). */
    @Query("select j.status as status, count(j) as count from Job j group by j.status")
    List<StatusCount> countByStatus();

    interface StatusCount {
        JobStatus getStatus();

        long getCount();
    }
}
