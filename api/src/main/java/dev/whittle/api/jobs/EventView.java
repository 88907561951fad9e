package dev.whittle.api.jobs;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.job.EventLevel;
import dev.whittle.persistence.job.JobEvent;
import tools.jackson.databind.JsonNode;

/** One entry of a job's event log. Ids increase: the SSE stream's event ids, and where a reader resumes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(long id, Instant at, EventLevel level, String type, String message, JsonNode data) {

    public static EventView of(JobEvent e) {
        return new EventView(e.getId(), e.getAt(), e.getLevel(), e.getType(), e.getMessage(), e.getData());
    }
}
