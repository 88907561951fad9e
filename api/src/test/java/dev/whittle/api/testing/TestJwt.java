package dev.whittle.api.testing;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Single sign-on without a network: the API trusts tokens signed with this RSA key pair, made per test run (what an
 * identity provider's JWK set would hold), as a {@link JwtDecoder} bean beside the keys.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestJwt {

    public static final String ISSUER = "https://sso.test.invalid";
    private static final KeyPair KEYS = rsa();
    private static final KeyPair OTHER = rsa();

    @Bean
    JwtDecoder testJwtDecoder() {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey((RSAPublicKey) KEYS.getPublic()).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithIssuer(ISSUER));
        return decoder;
    }

    /** A token of the test issuer with these claims (besides iss, sub, iat, exp in an hour). */
    public static String token(Map<String, Object> claims) {
        return sign(KEYS, claims, Instant.now().plusSeconds(3600));
    }

    /** A token like {@link #token} but already expired. */
    public static String expired(Map<String, Object> claims) {
        return sign(KEYS, claims, Instant.now().minusSeconds(600));
    }

    /** A token signed with a key the API does not trust. */
    public static String forged(Map<String, Object> claims) {
        return sign(OTHER, claims, Instant.now().plusSeconds(3600));
    }

    private static String sign(KeyPair keys, Map<String, Object> claims, Instant expiry) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice@example.org")
                .issueTime(Date.from(Instant.now().minusSeconds(3700))).expirationTime(Date.from(expiry));
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set.build());
        try {
            jwt.sign(new RSASSASigner(keys.getPrivate()));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jwt.serialize();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
