package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@ApiTest
class CallbackTest {

    /** What the receiver got: the headers that matter and the body. */
    record Delivery(String signature, String timestamp, String attempt, String body) {
    }

    @LocalServerPort
    int port;
    Api api;
    HttpServer receiver;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiverThatFailsOnce() throws Exception {
        api = new Api(port);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            var h = exchange.getRequestHeaders();
            deliveries.add(new Delivery(h.getFirst("X-Whittle-Signature"), h.getFirst("X-Whittle-Timestamp"),
                    h.getFirst("X-Whittle-Delivery-Attempt"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(deliveries.size() == 1 ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aFinishedJobIsPostedToItsCallbackSignedAndRetriedUntilDelivered() throws Exception {
        String model = TestModelFolders.registerLlama(api).get("name").asString();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String id = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"callbackUrl\":\""
                + url + "\"}").json().get("id").asString();

        api.poll("/api/v1/jobs/" + id + "/events?size=1000", page -> page.get("items").valueStream()
                .anyMatch(e -> e.get("type").asString().equals("callback.delivered")), Duration.ofSeconds(60));

        assertThat(deliveries).hasSize(2);
        assertThat(deliveries).extracting(Delivery::attempt).containsExactly("1", "2");
        for (Delivery d : deliveries) {
            assertThat(d.signature()).isEqualTo("sha256=" + hmac("test-secret", d.timestamp() + "." + d.body()));
            assertThat(Long.parseLong(d.timestamp())).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120L));
            JsonNode job = JsonMapper.shared().readTree(d.body());
            assertThat(job.get("id").asString()).isEqualTo(id);
            assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("result").get("stages").get(0).get("result").get("parameterCount").asLong()).isPositive();
        }
        List<String> callbackEvents = api.get("/api/v1/jobs/" + id + "/events?size=1000").json().get("items").valueStream()
                .map(e -> e.get("type").asString()).filter(t -> t.startsWith("callback.")).toList();
        assertThat(callbackEvents).containsExactly("callback.failed", "callback.delivered");
    }

    @Test
    void aCallbackToTheApiItselfIsRefusedAtSubmission() throws Exception {
        String model = TestModelFolders.registerLlama(api).get("name").asString();
        for (String self : List.of("http://127.0.0.1:" + port + "/api/v1/jobs", "http://127.0.0.2:" + port + "/",
                "http://[::ffff:127.0.0.1]:" + port + "/")) {
            Api.Response r = api.post("/api/v1/jobs", "{\"model\":\"" + model
                    + "\",\"stages\":[{\"type\":\"INSPECT\"}],\"callbackUrl\":\"" + self + "\"}");
            assertThat(r.status()).as(self).isEqualTo(422);
            assertThat(r.errorFields()).containsExactly("callbackUrl");
            assertThat(r.body()).contains("this service");
        }
    }

    @Test
    void aCallbackThatLeadsToTheApiByDeliveryTimeIsAbandonedUnsent(@org.springframework.beans.factory.annotation.Autowired
                                                                   org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        String model = TestModelFolders.registerLlama(api).get("name").asString();
        String id = api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[{\"type\":\"INSPECT\"}]}")
                .json().get("id").asString();
        api.poll("/api/v1/jobs/" + id, job -> job.get("status").asString().equals("SUCCEEDED"), Duration.ofSeconds(60));
        // As if the URL had passed at submission and now led to the API (its name resolving elsewhere since).
        jdbc.sql("update job set callback_url = :url, callback_state = 'PENDING', callback_next_at = now() where id = :id")
                .param("url", "http://localhost:" + port + "/api/v1/jobs/" + id + "/cancel")
                .param("id", java.util.UUID.fromString(id)).update();

        JsonNode abandoned = api.poll("/api/v1/jobs/" + id + "/events?size=1000", page -> page.get("items").valueStream()
                .anyMatch(e -> e.get("type").asString().equals("callback.abandoned")), Duration.ofSeconds(30));
        assertThat(abandoned.toString()).contains("refused");
        assertThat(deliveries).isEmpty();
    }

    private static String hmac(String secret, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }
}
