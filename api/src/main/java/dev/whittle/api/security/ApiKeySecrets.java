package dev.whittle.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key secrets: {@code wh_} and 256 random bits (base64url), stored only as their SHA-256. A fast hash is enough, and
 * bcrypt or argon2 would be wrong here: their cost protects low-entropy passwords from guessing, while 256 random bits
 * cannot be guessed at any speed, and that cost would be paid on every request.
 */
public final class ApiKeySecrets {

    public static final String PREFIX = "wh_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hex SHA-256 of the key's UTF-8 bytes: what the table keeps. */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The first characters, shown in lists so people can tell keys apart (8 of 256 bits say nothing useful). */
    public static String prefixOf(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 6));
    }
}
