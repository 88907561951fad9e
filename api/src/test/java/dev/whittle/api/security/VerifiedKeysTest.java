package dev.whittle.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.whittle.persistence.team.ApiKey;
import dev.whittle.persistence.team.ApiKeys;
import dev.whittle.persistence.team.Role;
import org.junit.jupiter.api.Test;

class VerifiedKeysTest {

    private static final Duration TTL = Duration.ofSeconds(5);

    /** The table: one key, with what was asked of it. */
    private final ApiKey key = new ApiKey("ci", "nlp", Role.SUBMITTER, "wh_abc", "hash-1");
    private final List<String> calls = new ArrayList<>();
    private final ApiKeys table = (ApiKeys) Proxy.newProxyInstance(ApiKeys.class.getClassLoader(),
            new Class<?>[]{ApiKeys.class}, (proxy, method, args) -> {
                calls.add(method.getName());
                return switch (method.getName()) {
                    case "findByKeyHash" -> Optional.of(key).filter(k -> k.getKeyHash().equals(args[0]));
                    case "touch" -> 1;
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            });
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final VerifiedKeys keys = new VerifiedKeys(table, TTL, now::get);

    @Test
    void aValidKeyIsLookedUpOncePerTtlAndTouchedOncePerMinute() {
        for (int i = 0; i < 100; i++) {
            assertThat(keys.find("hash-1")).map(Caller::team).contains("nlp");
        }
        assertThat(calls).containsExactly("findByKeyHash", "touch");
        advance(TTL.plusMillis(1));
        assertThat(keys.find("hash-1")).isPresent();
        assertThat(calls).containsExactly("findByKeyHash", "touch", "findByKeyHash"); // checked again, not touched
        advance(Duration.ofMinutes(1));
        assertThat(keys.find("hash-1")).isPresent();
        assertThat(calls).endsWith("findByKeyHash", "touch");
    }

    @Test
    void aKeyRevokedElsewhereStopsWorkingOnceTheTtlPassed() {
        assertThat(keys.find("hash-1")).isPresent();
        key.revoke(); // by another API process, or in SQL
        advance(TTL.minusMillis(1));
        assertThat(keys.find("hash-1")).as("still trusted within the ttl").isPresent();
        advance(Duration.ofMillis(2));
        assertThat(keys.find("hash-1")).isEmpty();
    }

    @Test
    void aKeyRevokedHereStopsWorkingAtOnce() {
        assertThat(keys.find("hash-1")).isPresent();
        key.revoke();
        keys.forget(key.getId());
        assertThat(keys.find("hash-1")).isEmpty();
    }

    @Test
    void unknownKeysAreNotRemembered() {
        assertThat(keys.find("hash-2")).isEmpty();
        assertThat(keys.find("hash-2")).isEmpty();
        assertThat(calls).containsExactly("findByKeyHash", "findByKeyHash");
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
