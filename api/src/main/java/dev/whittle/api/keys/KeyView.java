package dev.whittle.api.keys;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.persistence.team.ApiKey;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A key as listed: never its secret, which only the response that created it carries ({@code key}).
 *
 * @param prefix the secret's first characters, to tell keys apart
 * @param key    the secret, only in the answer to its creation: send it as {@code Authorization: Bearer <key>}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyView(UUID id, String name, String team, String role, String prefix, Instant createdAt,
                      Instant lastUsedAt, Instant revokedAt,
                      @Schema(description = "The secret, shown once, in the answer to the creation") String key) {

    public static KeyView of(ApiKey k) {
        return new KeyView(k.getId(), k.getName(), k.getTeam(), k.getRole().name().toLowerCase(Locale.ROOT), k.getPrefix(),
                k.getCreatedAt(), k.getLastUsedAt(), k.getRevokedAt(), null);
    }

    public KeyView withSecret(String secret) {
        return new KeyView(id, name, team, role, prefix, createdAt, lastUsedAt, revokedAt, secret);
    }
}
