package dev.whittle.worker.callback;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.whittle.persistence.job.CallbackOutbox;
import dev.whittle.persistence.job.EventLevel;
import dev.whittle.persistence.job.JobEventLog;
import dev.whittle.persistence.job.PendingCallback;
import dev.whittle.worker.jobs.JobView;
import dev.whittle.worker.jobs.JobViews;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs each finished job's JSON to its callback URL, signed (see {@link CallbackSignature}), retrying with
 * exponential backoff; every attempt is recorded as a job event. Runs in every process; the outbox's claims
 * keep two processes from delivering the same attempt. Redirects are not followed (they could leave the
 * allow-list), and the allow-list is checked again at delivery.
 */
@Component
public class CallbackDispatcher {

    public static final String DELIVERED = "callback.delivered";
    public static final String ATTEMPT_FAILED = "callback.failed";
    public static final String ABANDONED = "callback.abandoned";
    private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);

    private final CallbackOutbox outbox;
    private final CallbackPolicy policy;
    private final CallbackProperties properties;
    private final JobViews views;
    private final JobEventLog events;
    private final MeterRegistry meters;
    private final HttpClient http;

    public CallbackDispatcher(CallbackOutbox outbox, CallbackPolicy policy, CallbackProperties properties,
                              JobViews views, JobEventLog events, MeterRegistry meters) {
        this.outbox = outbox;
        this.policy = policy;
        this.properties = properties;
        this.views = views;
        this.events = events;
        this.meters = meters;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Scheduled(fixedDelayString = "${whittle.callbacks.poll-interval:1s}")
    public void deliverDue() {
        try {
            for (int i = 0; i < 20; i++) {
                Optional<PendingCallback> due = outbox.claimDue(properties.timeout().multipliedBy(3));
                if (due.isEmpty()) {
                    return;
                }
                deliver(due.get());
            }
        } catch (RuntimeException e) {
            log.warn("Callback delivery failed: {}", e.getMessage());
        }
    }

    private void deliver(PendingCallback callback) {
        Optional<String> refused = policy.problem(callback.url());
        if (refused.isPresent()) {
            outbox.abandon(callback.jobId());
            events.append(callback.jobId(), EventLevel.ERROR, ABANDONED, "Callback to " + callback.url() + " refused: "
                    + refused.get(), Map.of("url", callback.url()));
            count("refused");
            return;
        }
        JobView job = views.find(callback.jobId()).orElse(null);
        if (job == null) {
            return;
        }
        String body = JsonMapper.shared().writeValueAsString(job);
        long timestamp = Instant.now().getEpochSecond();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("url", callback.url());
        data.put("attempt", callback.attempt());
        String failure;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(callback.url()))
                    .timeout(properties.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Whittle")
                    .header("X-Whittle-Event", "job.ended")
                    .header("X-Whittle-Job-Id", job.id().toString())
                    .header("X-Whittle-Delivery-Attempt", Integer.toString(callback.attempt()))
                    .header(CallbackSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(CallbackSignature.SIGNATURE_HEADER, CallbackSignature.sign(properties.secret(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            data.put("status", response.statusCode());
            if (response.statusCode() / 100 == 2) {
                outbox.delivered(callback.jobId());
                events.info(callback.jobId(), DELIVERED, "Callback delivered to " + callback.url() + " (HTTP "
                        + response.statusCode() + ", attempt " + callback.attempt() + ")", data);
                count("delivered");
                return;
            }
            failure = "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (Exception e) {
            failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        data.put("error", failure);
        if (callback.attempt() >= properties.maxAttempts()) {
            outbox.abandon(callback.jobId());
            events.append(callback.jobId(), EventLevel.ERROR, ABANDONED, "Callback to " + callback.url() + " failed ("
                    + failure + ") on attempt " + callback.attempt() + " of " + properties.maxAttempts() + ": giving up", data);
            count("abandoned");
        } else {
            Duration wait = backoff(callback.attempt());
            outbox.retryIn(callback.jobId(), wait);
            data.put("retryInSeconds", wait.toMillis() / 1000.0);
            events.append(callback.jobId(), EventLevel.WARN, ATTEMPT_FAILED, "Callback to " + callback.url() + " failed ("
                    + failure + ") on attempt " + callback.attempt() + "; retrying in " + wait.toMillis() / 1000.0 + " s", data);
            count("retried");
        }
    }

    /** initialBackoff * 2^(attempt-1), at most maxBackoff. */
    Duration backoff(int attempt) {
        Duration wait = properties.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 30));
        return wait.compareTo(properties.maxBackoff()) > 0 ? properties.maxBackoff() : wait;
    }

    private void count(String outcome) {
        meters.counter("whittle.callbacks", "outcome", outcome).increment();
    }
}
