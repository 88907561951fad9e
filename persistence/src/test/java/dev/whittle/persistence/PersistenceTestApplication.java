package dev.whittle.persistence;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The persistence module's beans and Boot's JDBC, JPA and Flyway auto-configuration, for its own tests. */
@SpringBootApplication
public class PersistenceTestApplication {
}
