package dev.whittle.persistence.job;

import java.util.Map;
import java.util.UUID;

import dev.whittle.persistence.text.StorableText;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/** Appends to jobs' event logs. Joins the caller's transaction, so a state change and its event commit together. */
@Component
public class JobEventLog {

    private final JobEvents events;

    public JobEventLog(JobEvents events) {
        this.events = events;
    }

    @Transactional
    public JobEvent append(UUID jobId, EventLevel level, String type, String message, Map<String, ?> data) {
        // A message or data may quote task data or a model's output, NUL included, which PostgreSQL cannot store.
        JsonNode json = data == null || data.isEmpty() ? null : StorableText.json(data);
        return events.save(new JobEvent(jobId, level, type, StorableText.of(message), json));
    }

    public JobEvent info(UUID jobId, String type, String message, Map<String, ?> data) {
        return append(jobId, EventLevel.INFO, type, message, data);
    }
}
