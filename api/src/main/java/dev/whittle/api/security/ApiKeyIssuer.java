package dev.whittle.api.security;

import dev.whittle.persistence.team.ApiKey;
import dev.whittle.persistence.team.ApiKeys;
import dev.whittle.persistence.team.Role;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Makes keys: stores the hash of a secret, hands back the secret once. */
@Component
public class ApiKeyIssuer {

    private final ApiKeys keys;

    public ApiKeyIssuer(ApiKeys keys) {
        this.keys = keys;
    }

    /** A key and its secret, which is not kept and cannot be read again. */
    public record Issued(ApiKey key, String secret) {
    }

    @Transactional
    public Issued issue(String name, String team, Role role) {
        return issue(name, team, role, ApiKeySecrets.generate());
    }

    /** A key with a secret the operator chose (the bootstrap key). */
    @Transactional
    public Issued issue(String name, String team, Role role, String secret) {
        ApiKey key = keys.saveAndFlush(new ApiKey(name, team, role, ApiKeySecrets.prefixOf(secret), ApiKeySecrets.hash(secret)));
        return new Issued(key, secret);
    }
}
