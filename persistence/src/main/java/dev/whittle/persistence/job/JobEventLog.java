package dev.whittle.persistence.job;

import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Appends to jobs' event logs. Joins the caller's transaction, so a state change and its event commit together. */
@Component
public class JobEventLog {

    private final JobEvents events;

    public JobEventLog(JobEvents events) {
        this.events = events;
    }

    @Transactional
    public JobEvent append(UUID jobId, EventLevel level, String type, String message, Map<String, ?> data) {
        JsonNode json = data == null || data.isEmpty() ? null : JsonMapper.shared().valueToTree(data);
        return events.save(new JobEvent(jobId, level, type, message, json));
    }

    public JobEvent info(UUID jobId, String type, String message, Map<String, ?> data) {
        return append(jobId, EventLevel.INFO, type, message, data);
    }
}
