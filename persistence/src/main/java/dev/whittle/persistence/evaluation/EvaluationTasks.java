package dev.whittle.persistence.evaluation;

import org.springframework.data.jpa.repository.JpaRepository;

/** The tasks users registered. */
public interface EvaluationTasks extends JpaRepository<EvaluationTask, String> {
}
