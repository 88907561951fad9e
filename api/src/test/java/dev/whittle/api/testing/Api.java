package dev.whittle.api.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for the service under test (real requests over a socket, as curl would send them). It sends
 * the bootstrap admin key of {@link ApiTest} unless made with another key ({@link #as}) or none ({@link #anonymous}),
 * or a request names its own Authorization header.
 */
public final class Api {

    /** The admin key every {@link ApiTest} context bootstraps (team default). */
    public static final String ADMIN_KEY = "wh_test-admin-key-not-for-production-0123456789";

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public Api(int port) {
        this(port, ADMIN_KEY);
    }

    private Api(int port, String key) {
        this.base = "http://localhost:" + port;
        this.key = key;
    }

    /** The same service, called with {@code key}. */
    public Api as(String key) {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), key);
    }

    /** The same service, called without a key. */
    public Api anonymous() {
        return as(null);
    }

    /** A response: status, headers, body text. */
    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            return JsonMapper.shared().readTree(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The {@code field} of each entry of a problem's {@code errors}. */
        public List<String> errorFields() {
            return json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
        }
    }

    public Response get(String path, String... headers) {
        return send(builder(path, headers).GET().build());
    }

    public Response post(String path, String json, String... headers) {
        return send(builder(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response delete(String path, String... headers) {
        return send(builder(path, headers).DELETE().build());
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("request to " + request.uri() + " failed", e);
        }
    }

    public HttpRequest.Builder builder(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(60));
        boolean ownAuthorization = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            ownAuthorization |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (key != null && !ownAuthorization) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    /** Registers the model folder {@code folder} (under the test model root) under its own name; returns its id. */
    public String registerModel(String folder) {
        Response r = post("/api/v1/models", "{\"name\":\"" + folder + "\",\"path\":\"" + folder + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("registering " + folder + ": " + r.status() + " " + r.body());
        }
        return r.json().get("id").asString();
    }

    /** Submits a job of {@code stages} (JSON objects, comma-separated) on {@code model} (id or name). */
    public Response submit(String model, String stages) {
        return post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[" + stages + "]}");
    }

    /** The lines of a streamed response (Server-Sent Events), read until the server ends it. */
    public List<String> stream(String path, String... headers) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(builder(path, headers)
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
            try (var lines = r.body()) {
                return lines.toList();
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("stream " + path + " failed", e);
        }
    }

    /** GETs {@code path} until its JSON satisfies {@code condition} (or fails after {@code timeout}). */
    public JsonNode poll(String path, Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Response r = get(path);
            if (r.status() == 200 && condition.test(r.json())) {
                return r.json();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " did not get there in " + timeout + "; last: " + r.status() + " " + r.body());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
