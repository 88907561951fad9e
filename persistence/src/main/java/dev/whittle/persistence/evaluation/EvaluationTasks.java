package dev.whittle.persistence.evaluation;

import org.springframework.data.jpa.repository.JpaRepository;

/** The tasks users registered. */
public interface EvaluationTasks extends JpaRepository<EvaluationTask, EvaluationTask.Key> {

    /** Whether team {@code ownerTeam} has a task named {@code name}. */
    boolean existsByOwnerTeamAndName(String ownerTeam, String name);
}
