package dev.whittle.worker.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature receivers check: {@code sha256=} and the hex HMAC-SHA256, under the shared secret, of the
 * timestamp header's value, a dot, and the body. Covering the timestamp lets receivers refuse replays.
 */
public final class CallbackSignature {

    public static final String SIGNATURE_HEADER = "X-Whittle-Signature";
    public static final String TIMESTAMP_HEADER = "X-Whittle-Timestamp";

    private CallbackSignature() {
    }

    public static String sign(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
