package dev.whittle.worker.queue;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** The {@code worker} health component: UP while this process's worker threads live and its heartbeat runs. */
@Component("worker")
@ConditionalOnBooleanProperty(name = "whittle.worker.enabled", matchIfMissing = true)
public class WorkerHealthIndicator implements HealthIndicator {

    private final WorkerLifecycle lifecycle;

    public WorkerHealthIndicator(WorkerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public Health health() {
        Worker worker = lifecycle.worker();
        if (worker == null) {
            return Health.down().withDetail("reason", "worker not running").build();
        }
        return (worker.healthy() ? Health.up() : Health.down())
                .withDetail("id", worker.id())
                .withDetail("concurrency", worker.concurrency())
                .withDetail("runningJobs", worker.runningJobs())
                .withDetail("lastHeartbeat", worker.lastHeartbeat().toString())
                .build();
    }
}
