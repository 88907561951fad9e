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

    private static CallbackProperties properties(String secret, String... allowed) {
        return new CallbackProperties(secret, List.of(allowed), List.of(), List.of(), 5, Duration.ofSeconds(2),
                Duration.ofMinutes(5), Duration.ofSeconds(10));
    }

    // Addresses only (no DNS in tests): 127.0.0.0/8 is loopback, so 127.0.0.2 is another address of this machine.

    @Test
    void onlyHttpUrlsToAnAllowedAddressAndPortWithASecretAreAccepted() {
        CallbackPolicy policy = new CallbackPolicy(properties("s3cret", "127.0.0.1:9000", "127.0.0.3:*"));
        assertThat(policy.problem("http://127.0.0.1:9000/w?x=1")).isEmpty();
        assertThat(policy.problem("http://127.0.0.3:1234/w")).isEmpty();
        assertThat(policy.problem("http://127.0.0.1:9001/w")).hasValueSatisfying(p -> assertThat(p).contains("not allowed"));
        assertThat(policy.problem("http://127.0.0.1/w")).as("port 80 is not 9000").isPresent();
        assertThat(policy.problem("http://127.0.0.2:9000/w")).isPresent();
        assertThat(policy.problem("file:///etc/passwd")).hasValueSatisfying(p -> assertThat(p).contains("http or https"));
        assertThat(policy.problem("http://user:pw@127.0.0.1:9000/w")).isPresent();
        assertThat(policy.problem("not a url")).isPresent();
        assertThat(new CallbackPolicy(properties(null, "127.0.0.1:*")).problem("http://127.0.0.1/w"))
                .hasValueSatisfying(p -> assertThat(p).contains("whittle.callbacks.secret"));
    }

    @Test
    void addressesAreComparedResolvedNotAsText() {
        CallbackPolicy policy = new CallbackPolicy(properties("s", "127.0.0.1:9000"));
        // The IPv4-mapped IPv6 form of an allowed address is that address.
        assertThat(policy.problem("http://[::ffff:127.0.0.1]:9000/w")).isEmpty();
        assertThat(policy.problem("http://[::1]:9000/w")).isPresent();
    }

    @Test
    void aUrlPrefixAllowsOnlyUrlsUnderIt() {
        CallbackPolicy policy = new CallbackPolicy(properties("s", "http://127.0.0.1:9000/hooks/"));
        assertThat(policy.problem("http://127.0.0.1:9000/hooks/job")).isEmpty();
        assertThat(policy.problem("http://127.0.0.1:9000/api/v1/jobs/x/cancel")).isPresent();
        assertThat(policy.problem("https://127.0.0.1:9000/hooks/job")).as("another scheme").isPresent();
    }

    @Test
    void theServiceItselfIsRefusedOnEveryLocalAddressEvenWhenAllowed() {
        CallbackPolicy policy = new CallbackPolicy(properties("s", "127.0.0.1:*", "127.0.0.2:*"));
        policy.refuseOwnPort(8080);
        assertThat(policy.problem("http://127.0.0.1:8080/api/v1/jobs/x/cancel")).hasValueSatisfying(p -> assertThat(p)
                .contains("this service"));
        assertThat(policy.problem("http://127.0.0.2:8080/")).isPresent();
        assertThat(policy.problem("http://127.0.0.1:8081/")).isEmpty();
    }

    @Test
    void theRefuseListWinsOverTheAllowList() {
        CallbackPolicy policy = new CallbackPolicy(new CallbackProperties("s", List.of("127.0.0.1:*"), List.of(),
                List.of("127.0.0.1:8080"), 5, Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(10)));
        assertThat(policy.problem("http://127.0.0.1:8080/")).isPresent();
        assertThat(policy.problem("http://127.0.0.1:8081/")).isEmpty();
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
