package dev.whittle.persistence.job;

import java.util.List;
import java.util.UUID;

import org.springframework.data.domain.Limit;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** Jobs' event logs. */
public interface JobEvents extends JpaRepository<JobEvent, Long> {

    /** A page of a job's events, oldest first. */
    Page<JobEvent> findByJobIdOrderByIdAsc(UUID jobId, Pageable pageable);

    /** A job's events that came after event {@code afterId}, oldest first: how streams resume. */
    List<JobEvent> findByJobIdAndIdGreaterThanOrderByIdAsc(UUID jobId, long afterId, Limit limit);

    List<JobEvent> findByJobIdAndTypeOrderByIdAsc(UUID jobId, String type);
}
