package dev.whittle.api.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.whittle.persistence.testing.WithTestDatabase;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * An API test: the whole service on a random port and a fresh test database, with its in-process worker (two
 * threads), and every interval short so leases expire in seconds (the settings worker tests use too). All API tests
 * share this one context, and {@link Api} calls it with the bootstrap admin key (team default); after each test, its jobs are cancelled and awaited ({@link NoJobOutlivesItsTest}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@WithTestDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "whittle.worker.concurrency=2",
        "whittle.api.max-request-size=64KB",
        "whittle.api.event-poll-interval=50ms",
        "whittle.security.bootstrap-key=" + Api.ADMIN_KEY})
@TestPropertySource(locations = WorkerTest.SHARED_PROPERTIES)
@ExtendWith(NoJobOutlivesItsTest.class)
@Import(TestJwt.class)
public @interface ApiTest {
}
