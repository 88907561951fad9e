package dev.whittle.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Names of models, datasets and tasks, and idempotency keys, are unique within a team, not across teams. */
@ApiTest
class NamesPerTeamTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api admin;
    Api alpha;
    Api beta;

    @BeforeEach
    void teams() {
        admin = new Api(port);
        alpha = admin.as(key(newTeam()));
        beta = admin.as(key(newTeam()));
    }

    @Test
    void twoTeamsRegisterModelsUnderOneNameAndEachFindsItsOwn() {
        String name = "same-" + UUID.randomUUID().toString().substring(0, 8);
        String folder = TestModelFolders.llama();
        Api.Response a = alpha.post("/api/v1/models", model(name, folder));
        Api.Response b = beta.post("/api/v1/models", model(name, folder));
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        assertThat(b.status()).as(b.body()).isEqualTo(201);
        String alphaId = a.json().get("id").asString();
        String betaId = b.json().get("id").asString();
        assertThat(alphaId).isNotEqualTo(betaId);
        assertThat(alpha.get("/api/v1/models/" + name).json().get("id").asString()).isEqualTo(alphaId);
        assertThat(beta.get("/api/v1/models/" + name).json().get("id").asString()).isEqualTo(betaId);
        // A job names the model by name: each team's job runs on its own.
        String job = beta.post("/api/v1/jobs", "{\"model\":\"" + name + "\",\"stages\":[{\"type\":\"INSPECT\"}]}")
                .json().get("model").get("id").asString();
        assertThat(job).isEqualTo(betaId);
        // Within a team, the name is still taken.
        Api.Response again = alpha.post("/api/v1/models", model(name, folder));
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void anotherTeamsNameIsAbsentFromErrors() {
        String name = "secret-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alpha.post("/api/v1/models", model(name, TestModelFolders.llama())).status()).isEqualTo(201);
        Api.Response theirs = beta.post("/api/v1/jobs", "{\"model\":\"" + name + "\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        Api.Response nobodys = beta.post("/api/v1/jobs", "{\"model\":\"" + name + "x\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(theirs.status()).isEqualTo(422);
        assertThat(theirs.body().replace(name, "NAME")).isEqualTo(nobodys.body().replace(name + "x", "NAME"));
        assertThat(beta.get("/api/v1/models/" + name).status()).isEqualTo(404);
        // and an output named like another team's model is no clash
        String output = beta.post("/api/v1/models", model("mine-" + name, TestModelFolders.llama())).json().get("id").asString();
        Api.Response job = beta.post("/api/v1/jobs", "{\"model\":\"" + output + "\",\"output\":{\"name\":\"" + name
                + "\"},\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(job.status()).as(job.body()).isEqualTo(202);
    }

    @Test
    void twoTeamsRegisterDatasetsAndTasksUnderOneName() throws Exception {
        String name = "same-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(name + ".txt"), "some text\nmore text\n");
        Files.writeString(DATA_ROOT.resolve(name + ".jsonl"), "{\"q\": \"a\", \"options\": [\"b\", \"c\"], \"gold\": 0}\n");
        String dataset = "{\"name\":\"" + name + "\",\"path\":\"" + name + ".txt\",\"format\":\"text\"}";
        String task = """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(name, name);
        for (Api team : new Api[]{alpha, beta}) {
            Api.Response registered = team.post("/api/v1/datasets", dataset);
            assertThat(registered.status()).as(registered.body()).isEqualTo(201);
            String id = registered.json().get("id").asString();
            assertThat(team.get("/api/v1/datasets/" + id).status()).isEqualTo(200);
            assertThat(team.post("/api/v1/tasks", task).status()).isEqualTo(201);
            assertThat(team.get("/api/v1/tasks/" + name).status()).isEqualTo(200);
        }
        assertThat(alpha.post("/api/v1/datasets", dataset).status()).isEqualTo(409);
        assertThat(alpha.post("/api/v1/tasks", task).status()).isEqualTo(409);
    }

    @Test
    void anIdempotencyKeyAnotherTeamUsedMakesANewJob() {
        String key = "k-" + UUID.randomUUID();
        String body = "{\"model\":\"%s\",\"stages\":[{\"type\":\"INSPECT\"}]}";
        String alphaModel = alpha.post("/api/v1/models", model("m-" + key, TestModelFolders.llama())).json().get("id").asString();
        String betaModel = beta.post("/api/v1/models", model("m-" + key, TestModelFolders.llama())).json().get("id").asString();
        Api.Response a = alpha.post("/api/v1/jobs", body.formatted(alphaModel), "Idempotency-Key", key);
        Api.Response b = beta.post("/api/v1/jobs", body.formatted(betaModel), "Idempotency-Key", key);
        assertThat(a.status()).isEqualTo(202);
        assertThat(b.status()).as(b.body()).isEqualTo(202);
        assertThat(b.header("Idempotent-Replayed")).isNull();
        assertThat(b.json().get("id").asString()).isNotEqualTo(a.json().get("id").asString());
        Api.Response replay = beta.post("/api/v1/jobs", body.formatted(betaModel), "Idempotency-Key", key);
        assertThat(replay.json().get("id").asString()).isEqualTo(b.json().get("id").asString());
    }

    private static String model(String name, String folder) {
        return "{\"name\":\"" + name + "\",\"path\":\"" + folder + "\"}";
    }

    private String newTeam() {
        String team = "n-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        return team;
    }

    private String key(String team) {
        Api.Response r = admin.post("/api/v1/keys", "{\"name\":\"s\",\"role\":\"submitter\",\"team\":\"" + team + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("key").asString();
    }
}
