package dev.whittle.api.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class DatasetsApiTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void client() throws Exception {
        api = new Api(port);
        Files.createDirectories(DATA_ROOT);
    }

    private String file(String suffix, String content) throws Exception {
        String name = "d-" + UUID.randomUUID() + suffix;
        Files.writeString(DATA_ROOT.resolve(name), content);
        return name;
    }

    private Api.Response register(String path, String format) {
        return api.post("/api/v1/datasets", "{\"name\":\"" + UUID.randomUUID() + "\",\"path\":\"" + path
                + "\",\"format\":\"" + format + "\"}");
    }

    @Test
    void eachFormatIsCheckedAndItsRecordsCounted() throws Exception {
        String jsonl = file(".jsonl", "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n");
        JsonNode registered = register(jsonl, "jsonl").json();
        assertThat(registered.get("records").asLong()).isEqualTo(2);
        assertThat(registered.get("format").asString()).isEqualTo("jsonl");
        assertThat(registered.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DATA_ROOT.resolve(jsonl)))));
        assertThat(api.get("/api/v1/datasets/" + registered.get("id").asString()).json().get("path").asString())
                .endsWith(jsonl);

        assertThat(register(file(".csv", "prompt,answer\n\"a, quoted\",1\n\"multi\nline\",2\r\n"), "csv").json()
                .get("records").asLong()).isEqualTo(2);
        assertThat(register(file(".txt", "one\ntwo\n\nthree"), "text").json().get("records").asLong()).isEqualTo(3);
    }

    @Test
    void aFileThatDoesNotMatchItsFormatIsRefusedNamingTheLine() throws Exception {
        Api.Response jsonl = register(file(".jsonl", "{\"a\":1}\n[1,2]\n"), "jsonl");
        assertThat(jsonl.status()).isEqualTo(422);
        assertThat(jsonl.json().get("errors").get(0).get("message").asString()).contains("line 2");

        Api.Response csv = register(file(".csv", "a,b\n1,2\n3\n"), "csv");
        assertThat(csv.status()).isEqualTo(422);
        assertThat(csv.json().get("errors").get(0).get("message").asString()).contains("line 3", "1 field");

        Api.Response format = register(file(".txt", "x"), "parquet");
        assertThat(format.status()).isEqualTo(422);
        assertThat(format.errorFields()).containsExactly("format");
    }

    @Test
    void aPathOutsideTheDataRootsIsRefused() {
        Api.Response r = register("../../pom.xml", "text");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorFields()).containsExactly("path");
        assertThat(register("/etc/hostname", "text").errorFields()).containsExactly("path");
    }
}
