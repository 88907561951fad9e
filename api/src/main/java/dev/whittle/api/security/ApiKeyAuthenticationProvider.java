package dev.whittle.api.security;

import org.springframework.security.authentication.AuthenticationProvider;
import dev.whittle.persistence.outage.DatabaseOutage;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates {@code Authorization: Bearer <key>} by the key's hash, through {@link VerifiedKeys} (a key checked a
 * few seconds ago is not looked up again; see there how revocation still takes effect). Tokens shaped like a JWT are
 * left to the JWT provider when one is configured.
 */
public class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private final VerifiedKeys keys;
    private final boolean jwtEnabled;

    public ApiKeyAuthenticationProvider(VerifiedKeys keys, boolean jwtEnabled) {
        this.keys = keys;
        this.jwtEnabled = jwtEnabled;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (jwtEnabled && looksLikeJwt(token)) {
            return null;
        }
        Caller caller;
        try {
            caller = keys.find(ApiKeySecrets.hash(token))
                    .orElseThrow(() -> new BadCredentialsException("The key is unknown or revoked"));
        } catch (RuntimeException e) {
            if (e instanceof AuthenticationException || !DatabaseOutage.causes(e)) {
                throw e;
            }
            // The key cannot be checked now: the entry point answers 503, not 401, so clients retry. Not an
            // AuthenticationServiceException: Spring Security rethrows those, and they would end as a 500.
            throw new KeyCheckUnavailable(e);
        }
        return caller.authentication();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** Three base64url parts joined by dots (a JWS); keys have no dots. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The database holding the keys could not be reached. */
    static final class KeyCheckUnavailable extends AuthenticationException {
        KeyCheckUnavailable(Throwable cause) {
            super("the database cannot be reached to check the key", cause);
        }
    }
}
