package dev.whittle.api.ops;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.whittle.api.problems.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets at most as many API requests in at once as the connection pool has connections
 * ({@code whittle.api.max-concurrent-requests}, default the pool's size); the others wait here, in arrival order. So
 * under overload requests queue for a turn and are answered late, instead of timing out on the pool, whose short
 * connection timeout is there to answer fast when PostgreSQL is down (503 database-unavailable). One that waits longer
 * than {@code whittle.api.admission-timeout} (30 s) is answered 503 overloaded with Retry-After: a busy service, not an
 * outage. Runs before Spring Security, whose key check may need a connection; an event stream holds its turn only
 * while it is opened.
 */
@Component
@Order(-101) // before Spring Security's filter chain (-100)
public class RequestAdmission extends OncePerRequestFilter {

    /** How long a client turned away should wait before trying again. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final Semaphore turns;
    private final Duration timeout;

    @Autowired
    public RequestAdmission(@Value("${whittle.api.max-concurrent-requests:0}") int maxConcurrent,
                            @Value("${whittle.api.admission-timeout:30s}") Duration timeout,
                            ObjectProvider<HikariDataSource> pool) {
        this(maxConcurrent > 0 ? maxConcurrent : poolSize(pool), timeout);
    }

    RequestAdmission(int maxConcurrent, Duration timeout) {
        this.turns = new Semaphore(maxConcurrent, true);
        this.timeout = timeout;
    }

    private static int poolSize(ObjectProvider<HikariDataSource> pool) {
        HikariDataSource hikari = pool.getIfAvailable();
        return hikari == null ? 10 : hikari.getMaximumPoolSize();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean admitted;
        try {
            admitted = turns.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Problems.OVERLOADED.write(request, response, "The service is busy: this request waited " + timeout.toSeconds()
                    + " s for its turn; try again shortly.");
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            turns.release();
        }
    }
}
