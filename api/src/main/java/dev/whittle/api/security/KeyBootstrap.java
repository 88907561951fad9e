package dev.whittle.api.security;

import java.util.Optional;

import dev.whittle.persistence.team.ApiKeys;
import dev.whittle.persistence.team.Role;
import dev.whittle.persistence.team.TeamScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The first admin key, so a new service can be administered: {@code whittle.security.bootstrap-key} when set
 * (registered once; revoking it sticks), otherwise a key made and logged once, at a start that finds no active admin
 * key (the first start; after that only when every admin key was revoked, which is how a lost admin key is replaced).
 */
@Component
public class KeyBootstrap implements ApplicationRunner {

    static final String NAME = "bootstrap";
    private static final Logger log = LoggerFactory.getLogger(KeyBootstrap.class);

    private final ApiKeys keys;
    private final ApiKeyIssuer issuer;
    private final SecurityProperties properties;

    public KeyBootstrap(ApiKeys keys, ApiKeyIssuer issuer, SecurityProperties properties) {
        this.keys = keys;
        this.issuer = issuer;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        ensureAdmin();
    }

    /** The secret of the admin key made now, when one was made and logged. */
    public synchronized Optional<String> ensureAdmin() {
        String configured = properties.bootstrapKey();
        if (configured != null && !configured.isBlank()) {
            if (keys.findByKeyHash(ApiKeySecrets.hash(configured)).isEmpty()) {
                issuer.issue(NAME, TeamScope.DEFAULT, Role.ADMIN, configured);
                log.info("Admin key from whittle.security.bootstrap-key registered (team '{}')", TeamScope.DEFAULT);
            }
            return Optional.empty();
        }
        if (keys.existsActiveAdmin()) {
            return Optional.empty();
        }
        String secret = issuer.issue(NAME, TeamScope.DEFAULT, Role.ADMIN).secret();
        log.warn("""

                ==== Whittle: no admin key existed, so one was made. It is shown this once; keep it. ====
                  Authorization: Bearer {}
                  (team '{}', role admin; create other keys with POST /api/v1/keys, revoke this one with DELETE)
                """, secret, TeamScope.DEFAULT);
        return Optional.of(secret);
    }
}
