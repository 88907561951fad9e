package dev.whittle.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class CallbackPolicyTest {

    private static CallbackProperties properties(String secret, String... hosts) {
        return new CallbackProperties(secret, List.of(hosts), 5, Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofSeconds(10));
    }

    @Test
    void onlyHttpUrlsToAllowedHostsWithASecretAreAccepted() {
        CallbackPolicy policy = new CallbackPolicy(properties("s3cret", "hooks.example.org", "127.0.0.1"));
        assertThat(policy.problem("https://hooks.example.org/whittle?x=1")).isEmpty();
        assertThat(policy.problem("http://HOOKS.example.org:8443/w")).isEmpty();
        assertThat(policy.problem("http://127.0.0.1:9000/w")).isEmpty();
        assertThat(policy.problem("https://evil.example.org/w")).hasValueSatisfying(p -> assertThat(p).contains("not allowed"));
        assertThat(policy.problem("https://hooks.example.org.evil.net/w")).isPresent();
        assertThat(policy.problem("file:///etc/passwd")).hasValueSatisfying(p -> assertThat(p).contains("http or https"));
        assertThat(policy.problem("https://user:pw@hooks.example.org/w")).isPresent();
        assertThat(policy.problem("not a url")).isPresent();
        assertThat(new CallbackPolicy(properties(null, "127.0.0.1")).problem("http://127.0.0.1/w"))
                .hasValueSatisfying(p -> assertThat(p).contains("whittle.callbacks.secret"));
    }

    @Test
    void theSignatureIsTheHmacOfTheTimestampADotAndTheBody() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("k".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("1700000000.{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(CallbackSignature.sign("k", 1_700_000_000L, "{\"a\":1}")).isEqualTo("sha256=" + expected);
    }

    @Test
    void retriesBackOffExponentiallyUpToTheLimit() {
        CallbackDispatcher dispatcher = new CallbackDispatcher(null, null, properties("s"), null, null, null);
        assertThat(dispatcher.backoff(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(dispatcher.backoff(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(dispatcher.backoff(4)).isEqualTo(Duration.ofSeconds(16));
        assertThat(dispatcher.backoff(20)).isEqualTo(Duration.ofMinutes(5));
    }
}
