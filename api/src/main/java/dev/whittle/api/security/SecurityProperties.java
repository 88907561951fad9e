package dev.whittle.api.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the API ({@code whittle.security}).
 *
 * @param bootstrapKey the first admin key (team {@code default}), set by the operator; when unset, one is made and
 *                     logged once at the first start (and again only after every admin key was revoked)
 * @param jwt          OAuth2 resource-server JWTs, accepted beside the keys when an issuer or a JWK set is set
 * @param keyCacheTtl  how long a key found valid is trusted without looking it up again: the longest a key revoked
 *                     through another API process (or in the database directly) keeps working here
 */
@ConfigurationProperties("whittle.security")
public record SecurityProperties(String bootstrapKey, @DefaultValue Jwt jwt, @DefaultValue("5s") Duration keyCacheTtl) {

    /**
     * @param issuerUri  the issuer: its OpenID configuration gives the keys, and {@code iss} must match
     * @param jwkSetUri  the JWK set, when the issuer publishes no configuration (then {@code iss} is checked only
     *                   when issuerUri is set too)
     * @param audience   when set, the token's {@code aud} must contain it
     * @param teamClaim  the claim that names the caller's team (a string); a team seen first is created
     * @param roleClaim  the claim with the caller's role: a string or a list (admin, submitter, viewer, metrics,
     *                   case-insensitive, optionally prefixed {@code whittle-} or {@code whittle_}); the highest wins
     */
    public record Jwt(String issuerUri, String jwkSetUri, String audience,
                      @DefaultValue("whittle_team") String teamClaim,
                      @DefaultValue("whittle_role") String roleClaim) {

        public boolean configured() {
            return present(issuerUri) || present(jwkSetUri);
        }

        private static boolean present(String s) {
            return s != null && !s.isBlank();
        }
    }
}
