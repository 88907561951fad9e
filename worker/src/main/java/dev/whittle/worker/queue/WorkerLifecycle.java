package dev.whittle.worker.queue;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This process's worker, when {@code whittle.worker.enabled} (the default): started once the application is
 * up (schema migrated), stopped before the database connections close.
 */
@Component
@ConditionalOnBooleanProperty(name = "whittle.worker.enabled", matchIfMissing = true)
public class WorkerLifecycle implements SmartLifecycle {

    private final Workers workers;
    private volatile Worker worker;

    public WorkerLifecycle(Workers workers) {
        this.workers = workers;
    }

    /** The running worker, or null before start and after stop. */
    public Worker worker() {
        return worker;
    }

    @Override
    public void start() {
        Worker w = workers.create(workers.settings().concurrency());
        w.start();
        worker = w;
    }

    @Override
    public void stop() {
        Worker w = worker;
        if (w != null) {
            w.stop(workers.settings().shutdownGrace());
            worker = null;
        }
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }
}
