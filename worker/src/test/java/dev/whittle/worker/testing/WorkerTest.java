package dev.whittle.worker.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.whittle.persistence.testing.WithTestDatabase;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A worker-module test: the worker application on a fresh test database, with no worker of its own (tests
 * start the workers they need) and every interval short, so leases expire in seconds.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@WithTestDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "whittle.worker.enabled=false",
        "whittle.worker.lease=2s",
        "whittle.worker.heartbeat=200ms",
        "whittle.worker.poll-interval=50ms",
        "whittle.worker.sweep-interval=200ms",
        "whittle.worker.progress-interval=20ms",
        "whittle.worker.progress-event-interval=20ms",
        "whittle.worker.shutdown-grace=10s",
        "whittle.storage.model-roots=target/test-storage/models",
        "whittle.storage.data-roots=target/test-storage/datasets",
        "whittle.storage.work-dir=target/test-storage/work",
        "whittle.callbacks.secret=test-secret",
        "whittle.callbacks.allowed-hosts=127.0.0.1",
        "whittle.callbacks.initial-backoff=100ms",
        "whittle.callbacks.poll-interval=100ms",
        "whittle.metrics.refresh-interval=200ms"})
public @interface WorkerTest {
}
