package dev.whittle.persistence.embedded;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The PostgreSQL server Whittle starts for itself when no {@code spring.datasource.url} is set.
 *
 * @param directory      the cluster's data directory; it survives restarts
 * @param port           the port to listen on (0: any free port)
 * @param database       the database Whittle uses inside the cluster (created on first start)
 * @param startupTimeout how long to wait for the server to accept connections
 */
@ConfigurationProperties("whittle.embedded-postgres")
public record EmbeddedPostgresProperties(
        @DefaultValue("data/postgres") Path directory,
        @DefaultValue("0") int port,
        @DefaultValue("whittle") String database,
        @DefaultValue("60s") Duration startupTimeout) {
}
