package dev.whittle.api.security;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.whittle.persistence.team.ApiKey;
import dev.whittle.persistence.team.ApiKeys;

/**
 * API keys found valid in the last {@code ttl}, by the SHA-256 of their secret, so that a burst of requests with one
 * key costs one query, not one per request. Revocation still takes effect: at once for a key revoked through this
 * process ({@link #forget}), and within {@code ttl} for one revoked elsewhere (another API process, or SQL), as each
 * entry is checked against the table again once it is older than that. Unknown keys are never remembered: a key made
 * by another process works on its first use. The last-use time is written at most once a minute per key, as the
 * table's own statement would anyway.
 */
public final class VerifiedKeys {

    /** Far more keys than any deployment has; past it, everything is checked afresh. */
    private static final int MAX_ENTRIES = 10_000;
    private static final long TOUCH_INTERVAL = Duration.ofMinutes(1).toNanos();

    private record Verified(UUID id, Caller caller, long checkedAt, long touchedAt) {
    }

    private final ApiKeys keys;
    private final long ttl;
    private final LongSupplier clock;
    private final Map<String, Verified> byHash = new ConcurrentHashMap<>();

    public VerifiedKeys(ApiKeys keys, Duration ttl) {
        this(keys, ttl, System::nanoTime);
    }

    VerifiedKeys(ApiKeys keys, Duration ttl, LongSupplier clock) {
        this.keys = keys;
        this.ttl = ttl.toNanos();
        this.clock = clock;
    }

    /** The caller holding the key with this hash, if it exists and is not revoked. */
    public Optional<Caller> find(String keyHash) {
        long now = clock.getAsLong();
        Verified known = byHash.get(keyHash);
        if (known != null && now - known.checkedAt() < ttl) {
            return Optional.of(known.caller());
        }
        Optional<ApiKey> key = keys.findByKeyHash(keyHash).filter(k -> !k.isRevoked());
        if (key.isEmpty()) {
            byHash.remove(keyHash);
            return Optional.empty();
        }
        ApiKey k = key.get();
        long touchedAt = known != null && known.id().equals(k.getId()) ? known.touchedAt() : now - TOUCH_INTERVAL;
        if (now - touchedAt >= TOUCH_INTERVAL) {
            keys.touch(k.getId());
            touchedAt = now;
        }
        Caller caller = new Caller(k.getTeam(), k.getRole(), "key " + k.getId() + " (" + k.getName() + ")");
        if (byHash.size() >= MAX_ENTRIES) {
            byHash.clear();
        }
        byHash.put(keyHash, new Verified(k.getId(), caller, now, touchedAt));
        return Optional.of(caller);
    }

    /** Stops trusting the key {@code id} at once (it was revoked). */
    public void forget(UUID id) {
        byHash.values().removeIf(v -> v.id().equals(id));
    }
}
