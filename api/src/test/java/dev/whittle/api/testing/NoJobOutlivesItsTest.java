package dev.whittle.api.testing;

import java.time.Duration;
import java.util.List;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.Jobs;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * After each API test, cancels every job that has not ended and waits until all have, so that no job a test
 * submitted runs on (with the shared worker's threads, files and caches) into the next test. Fails the test if
 * some job does not end in time.
 */
public final class NoJobOutlivesItsTest implements AfterEachCallback {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        ApplicationContext spring = SpringExtension.getApplicationContext(context);
        Jobs jobs = spring.getBean(Jobs.class);
        JobQueue queue = spring.getBean(JobQueue.class);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Job> unfinished = jobs.findAll().stream().filter(j -> !j.getStatus().isFinal()).toList();
            if (unfinished.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Jobs still not ended " + WAIT + " after the test: " + unfinished.stream()
                        .map(j -> j.getId() + " " + j.getStatus()).toList());
            }
            unfinished.forEach(j -> queue.requestCancel(j.getId()));
            Thread.sleep(50);
        }
    }
}
