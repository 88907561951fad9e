package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@ApiTest
class InspectJobTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @Test
    void anInspectJobSubmittedOverHttpSucceedsAndReportsTheModelItRead() throws Exception {
        // A 2-layer Llama (hidden 64, 4 heads of 16, 2 KV heads, MLP 96, vocab 320, untied), with one layer-1 norm
        // zeroed by hand so the zero counts have something to find.
        String folder = TestModelFolders.llama();
        Path dir = TestModelFolders.MODEL_ROOT.resolve(folder);
        zeroTensor(dir.resolve("model.safetensors"), "model.layers.1.input_layernorm.weight");
        Api.Response registered = api.post("/api/v1/models", "{\"name\":\"" + folder + "\",\"path\":\"" + folder + "\"}");
        assertThat(registered.status()).isEqualTo(201);

        Api.Response submitted = api.post("/api/v1/jobs",
                "{\"name\":\"look\",\"model\":\"" + folder + "\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(submitted.status()).isEqualTo(202);
        String location = submitted.header("Location");
        assertThat(location).isEqualTo("/api/v1/jobs/" + submitted.json().get("id").asString());
        assertThat(submitted.json().get("status").asString()).isEqualTo("QUEUED");

        JsonNode job = api.poll(location, j -> j.get("status").asString().equals("SUCCEEDED")
                || j.get("status").asString().equals("FAILED"), Duration.ofSeconds(60));

        assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("progress").get("percent").asDouble()).isEqualTo(100.0);
        JsonNode report = job.get("result").get("stages").get(0).get("result");
        long perLayer = 64 * 64 + 64 * 32 + 64 * 32 + 64 * 64 + 3 * 64 * 96 + 2 * 64;
        long expectedParameters = 320 * 64 + 2 * perLayer + 64 + 320 * 64;
        assertThat(report.get("parameterCount").asLong()).isEqualTo(expectedParameters);
        assertThat(report.get("architecture").get("layers").asInt()).isEqualTo(2);
        assertThat(report.get("architecture").get("keyValueHeads").asInt()).isEqualTo(2);
        assertThat(report.get("tensors")).hasSize(3 + 2 * 9);
        assertThat(report.get("zeros").asLong()).isEqualTo(64);
        assertThat(report.get("layers").get(1).get("zeroFraction").asDouble()).isEqualTo(64.0 / perLayer);
        assertThat(report.get("layers").get(0).get("zeros").asLong()).isZero();
        JsonNode listed = api.get("/api/v1/jobs?model=" + folder + "&stageType=INSPECT").json().get("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id")).isEqualTo(job.get("id"));
        assertThat(listed.get(0).has("result")).as("lists leave results out").isFalse();
        for (JsonNode file : report.get("files")) {
            assertThat(file.get("sha256").asString()).as(file.get("name").asString())
                    .isEqualTo(sha256(dir.resolve(file.get("name").asString())));
        }
    }

    @Test
    void theEventStreamReplaysAJobsEventsAndEndsWithTheJob() {
        JsonNode model = TestModelFolders.registerLlama(api);
        String id = api.post("/api/v1/jobs", "{\"model\":\"" + model.get("id").asString()
                + "\",\"stages\":[{\"type\":\"INSPECT\"}]}").json().get("id").asString();

        List<String> lines = api.stream("/api/v1/jobs/" + id + "/events/stream");

        List<String> names = lines.stream().filter(l -> l.startsWith("event:")).map(l -> l.substring(6)).toList();
        assertThat(names).containsSubsequence("job.claimed", "stage.started", "stage.progress", "stage.completed", "job.ended");
        assertThat(names.getLast()).isEqualTo("job.ended");
        List<Long> ids = lines.stream().filter(l -> l.startsWith("id:")).map(l -> Long.parseLong(l.substring(3))).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(api.get("/api/v1/jobs/" + id).json().get("status").asString()).isEqualTo("SUCCEEDED");

        // Resuming after the last event sends nothing more, and ends at once: the job is over.
        List<String> resumed = api.stream("/api/v1/jobs/" + id + "/events/stream", "Last-Event-ID", ids.getLast().toString());
        assertThat(resumed).noneMatch(l -> l.startsWith("event:"));
    }

    private static void zeroTensor(Path file, String tensor) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            long headerLength = length.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            JsonNode offsets = JsonMapper.shared().readTree(new String(header.array())).get(tensor).get("data_offsets");
            long begin = 8 + headerLength + offsets.get(0).asLong();
            long end = 8 + headerLength + offsets.get(1).asLong();
            channel.write(ByteBuffer.allocate((int) (end - begin)), begin);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
