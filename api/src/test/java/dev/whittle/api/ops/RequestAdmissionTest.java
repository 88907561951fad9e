package dev.whittle.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Beyond the limit, a request waits for a turn and is served (overload is slow, not an outage); one that waits past the
 * admission timeout is answered 503 overloaded with Retry-After, a problem other than database-unavailable.
 */
class RequestAdmissionTest {

    @Test
    void aRequestBeyondTheLimitWaitsForATurnAndIsServed() throws Exception {
        RequestAdmission admission = new RequestAdmission(1, Duration.ofSeconds(30));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<MockHttpServletResponse> first = CompletableFuture.supplyAsync(() -> serve(admission, () -> {
            inside.countDown();
            await(release);
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<MockHttpServletResponse> second = CompletableFuture.supplyAsync(() -> serve(admission, () -> {
        }));
        Thread.sleep(200);
        assertThat(second).as("waits while the only turn is taken").isNotDone();

        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
        assertThat(second.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    }

    @Test
    void aRequestThatWaitsPastTheTimeoutIsAnswered503OverloadedWithRetryAfter() throws Exception {
        RequestAdmission admission = new RequestAdmission(1, Duration.ofMillis(100));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<MockHttpServletResponse> first = CompletableFuture.supplyAsync(() -> serve(admission, () -> {
            inside.countDown();
            await(release);
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        MockHttpServletResponse refused = serve(admission, () -> {
            throw new AssertionError("a request turned away must not be handled");
        });
        release.countDown();

        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
        assertThat(refused.getContentType()).startsWith("application/problem+json");
        assertThat(JsonMapper.shared().readTree(refused.getContentAsString()).get("type").asString())
                .isEqualTo("urn:whittle:problem:overloaded");
        assertThat(first.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    }

    private static MockHttpServletResponse serve(RequestAdmission admission, Runnable handler) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/jobs");
        MockHttpServletResponse response = new MockHttpServletResponse();
        try {
            admission.doFilter(request, response, (req, res) -> handler.run());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return response;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
