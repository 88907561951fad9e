package dev.whittle.worker.testing;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.queue.Worker;
import dev.whittle.worker.queue.Workers;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The workers a {@link WorkerTest} starts, stopped after each test. Register it with
 * {@code @RegisterExtension final TestWorkers workers = new TestWorkers();}.
 */
public final class TestWorkers implements BeforeEachCallback, AfterEachCallback {

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final List<Worker> started = new ArrayList<>();
    private Workers workers;
    private TestJobs testJobs;

    @Override
    public void beforeEach(ExtensionContext context) {
        var spring = SpringExtension.getApplicationContext(context);
        workers = spring.getBean(Workers.class);
        testJobs = spring.getBean(TestJobs.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(w -> w.stop(STOP_GRACE));
        started.clear();
    }

    /** Starts one more single-threaded worker. */
    public Worker start() {
        Worker worker = workers.create(1);
        worker.start();
        started.add(worker);
        return worker;
    }

    /** Queues a job running {@code stagesJson} on {@code model}, with a worker to run it, and waits for its end. */
    public Job run(Model model, String stagesJson, Duration wait) {
        Job job = testJobs.submit(model, stagesJson);
        if (started.isEmpty()) {
            start();
        }
        return testJobs.await(job.getId(), j -> j.getStatus().isFinal(), wait);
    }
}
