package dev.whittle.api.security;

import dev.whittle.persistence.team.ApiKey;
import dev.whittle.persistence.team.ApiKeys;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates {@code Authorization: Bearer <key>} by the key's hash, on every request, so a revoked key stops
 * working at once. Tokens shaped like a JWT are left to the JWT provider when one is configured.
 */
public class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private final ApiKeys keys;
    private final boolean jwtEnabled;

    public ApiKeyAuthenticationProvider(ApiKeys keys, boolean jwtEnabled) {
        this.keys = keys;
        this.jwtEnabled = jwtEnabled;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (jwtEnabled && looksLikeJwt(token)) {
            return null;
        }
        ApiKey key = keys.findByKeyHash(ApiKeySecrets.hash(token))
                .filter(k -> !k.isRevoked())
                .orElseThrow(() -> new BadCredentialsException("The key is unknown or revoked"));
        keys.touch(key.getId());
        return new Caller(key.getTeam(), key.getRole(), "key " + key.getId() + " (" + key.getName() + ")").authentication();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** Three base64url parts joined by dots (a JWS); keys have no dots. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }
}
