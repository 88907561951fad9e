package dev.whittle.worker.callback;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery of finished jobs to their {@code callbackUrl}.
 *
 * @param secret         HMAC-SHA256 key of the signature header; callbacks are refused until it is set
 * @param allowed        where callbacks may go: {@code host:port} ({@code host:*} for any port) or URL prefixes
 *                       ({@code https://hooks.example.com/whittle/}); compared by resolved address and port, so a
 *                       name that resolves elsewhere (DNS rebinding, {@code 0x7f.1}) does not pass; empty refuses all
 * @param allowedHosts   older form of {@code allowed}: host names or addresses, any port ({@code host:*})
 * @param refused        {@code host:port} never called back whatever {@code allowed} says: list the API's own
 *                       address here in a process that is not the API (the API refuses its own port by itself)
 * @param maxAttempts    deliveries tried before giving up
 * @param initialBackoff wait before the second attempt; each later wait doubles, up to {@code maxBackoff}
 * @param maxBackoff     the longest wait between attempts
 * @param timeout        how long one delivery may take
 */
@ConfigurationProperties("whittle.callbacks")
public record CallbackProperties(
        String secret,
        @DefaultValue List<String> allowed,
        @DefaultValue List<String> allowedHosts,
        @DefaultValue List<String> refused,
        @DefaultValue("5") int maxAttempts,
        @DefaultValue("2s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("10s") Duration timeout) {
}
