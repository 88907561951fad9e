package dev.whittle.worker.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.whittle.persistence.testing.WithTestDatabase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.TestPropertySource;

/**
 * A worker-module test: the worker application on a fresh test database, with no worker of its own (tests
 * start the workers they need) and every interval short, so leases expire in seconds ({@link #SHARED_PROPERTIES}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@WithTestDatabase
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "whittle.worker.enabled=false")
@TestPropertySource(locations = WorkerTest.SHARED_PROPERTIES)
public @interface WorkerTest {

    /** The settings every Spring test of the service shares (also the api module's). */
    String SHARED_PROPERTIES = "classpath:dev/whittle/worker/testing/test-service.properties";
}
