package dev.whittle.api.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.whittle.persistence.testing.WithTestDatabase;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An API test: the whole service on a random port and a fresh test database, with its in-process worker (two
 * threads), and every interval short so leases expire in seconds. All API tests share this one context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@WithTestDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "whittle.worker.concurrency=2",
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
        "whittle.api.max-request-size=64KB",
        "whittle.api.event-poll-interval=50ms",
        "whittle.metrics.refresh-interval=200ms"})
public @interface ApiTest {
}
