package dev.whittle.worker.callback;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery of finished jobs to their {@code callbackUrl}.
 *
 * @param secret         HMAC-SHA256 key of the signature header; callbacks are refused until it is set
 * @param allowedHosts   the only hosts callbacks may go to (exact names or addresses); empty refuses all
 * @param maxAttempts    deliveries tried before giving up
 * @param initialBackoff wait before the second attempt; each later wait doubles, up to {@code maxBackoff}
 * @param maxBackoff     the longest wait between attempts
 * @param timeout        how long one delivery may take
 */
@ConfigurationProperties("whittle.callbacks")
public record CallbackProperties(
        String secret,
        @DefaultValue List<String> allowedHosts,
        @DefaultValue("5") int maxAttempts,
        @DefaultValue("2s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("10s") Duration timeout) {
}
