package dev.whittle.api.jobs;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.whittle.persistence.job.JobEvent;
import dev.whittle.persistence.job.JobEvents;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.JobStatus;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Limit;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Event streams of job events. Events come from the database (any worker, any process may have
 * written them), polled for every open stream on one scheduler thread. Each SSE event carries the job event's
 * id, so a client that reconnects with {@code Last-Event-ID} resumes where it stopped. A stream ends once its
 * job has ended and every event up to the end has been sent. Open streams are closed when the application
 * stops, before the web server's graceful shutdown would wait for them.
 */
@Component
public class JobEventStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobEventStreams.class);
    private static final int BATCH = 200;

    private final JobEvents events;
    private final JobQueue queue;
    private final Duration timeout;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("whittle-sse").factory());

    public JobEventStreams(JobEvents events, JobQueue queue,
                           @Value("${whittle.api.event-poll-interval:250ms}") Duration pollInterval,
                           @Value("${whittle.api.event-stream-timeout:30m}") Duration timeout) {
        this.events = events;
        this.queue = queue;
        this.timeout = timeout;
        poller.scheduleWithFixedDelay(this::pollAll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stream of job {@code jobId}'s events after event {@code afterId} (0: from the start). */
    public SseEmitter open(UUID jobId, long afterId) {
        SseEmitter emitter = new SseEmitter(timeout.toMillis());
        Stream stream = new Stream(jobId, emitter, afterId);
        emitter.onCompletion(() -> open.remove(stream));
        emitter.onTimeout(() -> open.remove(stream));
        emitter.onError(e -> open.remove(stream));
        open.add(stream);
        poller.execute(() -> poll(stream));
        return emitter;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        open.forEach(s -> s.emitter.complete());
        open.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @PreDestroy
    void shutDownPoller() {
        poller.shutdownNow();
    }

    private void pollAll() {
        for (Stream stream : open) {
            poll(stream);
        }
    }

    private void poll(Stream stream) {
        if (!open.contains(stream)) {
            return;
        }
        try {
            // Read the status before the events: if the job had ended by then, its last event is in this read.
            boolean ended = queue.status(stream.jobId).map(JobStatus::isFinal).orElse(true);
            List<JobEvent> batch;
            do {
                batch = events.findByJobIdAndIdGreaterThanOrderByIdAsc(stream.jobId, stream.lastId, Limit.of(BATCH));
                for (JobEvent e : batch) {
                    stream.emitter.send(SseEmitter.event()
                            .id(Long.toString(e.getId()))
                            .name(e.getType())
                            .data(EventView.of(e), MediaType.APPLICATION_JSON));
                    stream.lastId = e.getId();
                }
            } while (batch.size() == BATCH);
            if (ended) {
                open.remove(stream);
                stream.emitter.complete();
            }
        } catch (IOException | IllegalStateException e) {
            open.remove(stream); // the client went away
        } catch (RuntimeException e) {
            log.warn("Event stream of job {} failed: {}", stream.jobId, e.getMessage());
            open.remove(stream);
            stream.emitter.completeWithError(e);
        }
    }

    private static final class Stream {
        final UUID jobId;
        final SseEmitter emitter;
        volatile long lastId;

        Stream(UUID jobId, SseEmitter emitter, long lastId) {
            this.jobId = jobId;
            this.emitter = emitter;
            this.lastId = lastId;
        }
    }
}
