package dev.whittle.persistence.job;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Callbacks of finished jobs waiting to be delivered. A delivery is claimed by pushing its due time {@code hold}
 * into the future (so a crashed deliverer's claim lapses and another process retries it), then marked
 * delivered, rescheduled, or abandoned.
 */
@Component
@Transactional
public class CallbackOutbox {

    private final JdbcClient jdbc;

    public CallbackOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<PendingCallback> claimDue(Duration hold) {
        return jdbc.sql("""
                        update job set callback_attempts = callback_attempts + 1,
                               callback_next_at = now() + make_interval(secs => :hold)
                        where id = (select id from job where callback_state = 'PENDING' and callback_next_at <= now()
                                    order by callback_next_at limit 1 for update skip locked)
                        returning id, callback_url, callback_attempts
                        """)
                .param("hold", hold.toNanos() / 1e9)
                .query((rs, n) -> new PendingCallback(rs.getObject("id", UUID.class), rs.getString("callback_url"),
                        rs.getInt("callback_attempts")))
                .optional();
    }

    public void delivered(UUID jobId) {
        jdbc.sql("update job set callback_state = 'DELIVERED', callback_next_at = null where id = :id")
                .param("id", jobId).update();
    }

    public void retryIn(UUID jobId, Duration delay) {
        jdbc.sql("update job set callback_next_at = now() + make_interval(secs => :delay) where id = :id")
                .param("id", jobId).param("delay", delay.toNanos() / 1e9).update();
    }

    public void abandon(UUID jobId) {
        jdbc.sql("update job set callback_state = 'FAILED', callback_next_at = null where id = :id")
                .param("id", jobId).update();
    }
}
