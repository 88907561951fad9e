package dev.whittle.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestJwt;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.persistence.team.ApiKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@ApiTest
@ExtendWith(OutputCaptureExtension.class)
class SecurityApiTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    ApiKeys keys;
    @Autowired
    ApiKeyIssuer issuer;
    Api admin;

    @BeforeEach
    void client() {
        admin = new Api(port);
    }

    @Test
    void withoutAKeyOrWithABadOneEveryApiCallIs401Problem() {
        Api.Response none = admin.anonymous().get("/api/v1/jobs");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("Content-Type")).startsWith("application/problem+json");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.json().get("status").asInt()).isEqualTo(401);
        assertThat(admin.anonymous().post("/api/v1/jobs", "{}").status()).isEqualTo(401);

        Api.Response bad = admin.as("wh_not-a-key").get("/api/v1/models");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(admin.get("/api/v1/models", "Authorization", "Basic YWRtaW46YWRtaW4=").status()).isEqualTo(401);
    }

    @Test
    void aViewerReadsButCannotPostAndOnlyAdminsManageKeys() {
        Api viewer = admin.as(key("viewer", "default"));
        assertThat(viewer.get("/api/v1/jobs").status()).isEqualTo(200);
        Api.Response post = viewer.post("/api/v1/jobs", "{\"model\":\"x\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(post.status()).isEqualTo(403);
        assertThat(post.header("Content-Type")).startsWith("application/problem+json");
        assertThat(post.json().get("status").asInt()).isEqualTo(403);

        Api submitter = admin.as(key("submitter", "default"));
        assertThat(submitter.get("/api/v1/keys").status()).isEqualTo(403);
        assertThat(submitter.post("/api/v1/teams", "{\"name\":\"sneaky\"}").status()).isEqualTo(403);
        assertThat(admin.as(key("metrics", "default")).get("/api/v1/jobs").status()).isEqualTo(403);
    }

    @Test
    void anotherTeamsJobModelDatasetAndTaskAre404AndAbsentFromLists() throws Exception {
        // Made by the default team (the admin key).
        JsonNode model = TestModelFolders.registerLlama(admin);
        String modelId = model.get("id").asString();
        String job = admin.post("/api/v1/jobs", "{\"model\":\"" + modelId + "\",\"stages\":[{\"type\":\"INSPECT\"}]}")
                .json().get("id").asString();
        String dataName = "sec-" + UUID.randomUUID() + ".txt";
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(dataName), "some text\nmore text\n");
        String dataset = admin.post("/api/v1/datasets", "{\"name\":\"" + dataName + "\",\"path\":\"" + dataName
                + "\",\"format\":\"text\"}").json().get("id").asString();
        String task = "sec-task-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), "{\"q\": \"a\", \"options\": [\"b\", \"c\"], \"gold\": 0}\n");
        assertThat(admin.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task)).status()).isEqualTo(201);

        Api other = admin.as(key("submitter", newTeam()));
        for (String path : List.of("/api/v1/jobs/" + job, "/api/v1/jobs/" + job + "/events", "/api/v1/models/" + modelId,
                "/api/v1/models/" + model.get("name").asString(), "/api/v1/models/" + modelId + "/files",
                "/api/v1/datasets/" + dataset, "/api/v1/tasks/" + task)) {
            Api.Response r = other.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
        }
        assertThat(other.post("/api/v1/jobs/" + job + "/cancel", "").status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/jobs/" + job).status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/models/" + modelId).status()).isEqualTo(404);
        Api.Response onTheirModel = other.post("/api/v1/jobs", "{\"model\":\"" + modelId + "\",\"stages\":[{\"type\":\"INSPECT\"}]}");
        assertThat(onTheirModel.status()).isEqualTo(422);
        assertThat(onTheirModel.errorFields()).contains("model");

        assertThat(ids(other.get("/api/v1/jobs?size=200").json())).doesNotContain(job);
        assertThat(ids(other.get("/api/v1/models?size=500").json())).doesNotContain(modelId);
        assertThat(ids(other.get("/api/v1/datasets?size=500").json())).doesNotContain(dataset);
        assertThat(other.get("/api/v1/tasks").json().valueStream().map(t -> t.get("name").asString()))
                .doesNotContain(task).isNotEmpty(); // the built-in tasks are every team's
        // and the owner still sees them all
        assertThat(ids(admin.get("/api/v1/jobs?size=200").json())).contains(job);
        assertThat(admin.get("/api/v1/tasks/" + task).status()).isEqualTo(200);
    }

    @Test
    void whatAJobMakesBelongsToItsTeam() {
        Api team = admin.as(key("submitter", newTeam()));
        String dense = TestModelFolders.registerLlama(team).get("name").asString();
        String name = "team-child-" + UUID.randomUUID().toString().substring(0, 8);
        String job = team.post("/api/v1/jobs", "{\"model\":\"" + dense + "\",\"output\":{\"name\":\"" + name
                + "\"},\"stages\":[{\"type\":\"WRITE_MODEL\",\"seed\":3},"
                + "{\"type\":\"EVALUATE\",\"tasks\":[\"ref-multiple-choice\"],\"limit\":2}]}").json().get("id").asString();
        team.poll("/api/v1/jobs/" + job, j -> j.get("status").asString().equals("SUCCEEDED"), java.time.Duration.ofSeconds(120));

        assertThat(team.get("/api/v1/models/" + name).status()).isEqualTo(200);
        // the output model's and its dense baseline's
        assertThat(team.get("/api/v1/evaluations?job=" + job).json().get("totalItems").asLong()).isEqualTo(2);
        String evaluation = team.get("/api/v1/evaluations?job=" + job).json().get("items").get(0).get("id").asString();
        assertThat(admin.get("/api/v1/models/" + name).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/evaluations?job=" + job).json().get("totalItems").asLong()).isZero();
        assertThat(admin.get("/api/v1/evaluations/" + evaluation).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/jobs/" + job + "/events").status()).isEqualTo(404);
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        JsonNode created = admin.post("/api/v1/keys", "{\"name\":\"short-lived\",\"role\":\"viewer\"}").json();
        Api holder = admin.as(created.get("key").asString());
        assertThat(holder.get("/api/v1/jobs").status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/keys/" + created.get("id").asString()).status()).isEqualTo(204);
        assertThat(holder.get("/api/v1/jobs").status()).isEqualTo(401);
        assertThat(admin.get("/api/v1/keys/" + created.get("id").asString()).json().get("revokedAt").isNull()).isFalse();
    }

    @Test
    void keysAreStoredAsTheSha256OfTheirSecretAndListedWithoutIt() throws Exception {
        JsonNode created = admin.post("/api/v1/keys", "{\"name\":\"hashed\",\"role\":\"submitter\"}").json();
        String secret = created.get("key").asString();
        assertThat(secret).startsWith("wh_").hasSizeGreaterThanOrEqualTo(3 + 43); // 256 bits in base64url
        Map<String, Object> row = jdbc.sql("select * from api_key where id = :id")
                .param("id", UUID.fromString(created.get("id").asString())).query().singleRow();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        assertThat(row.get("key_hash")).isEqualTo(sha256);
        assertThat(row.values()).noneMatch(v -> v != null && v.toString().contains(secret.substring(10)));
        assertThat(admin.get("/api/v1/keys").body()).doesNotContain(secret.substring(10));
    }

    @Test
    void withoutABootstrapKeyTheFirstAdminKeyIsLoggedOnceAndWorks(CapturedOutput output) {
        // Act as a first start: no active admin key (the test context's is set aside meanwhile).
        List<UUID> active = jdbc.sql("update api_key set revoked_at = now() where role = 'ADMIN' and revoked_at is null returning id")
                .query(UUID.class).list();
        String secret;
        try {
            KeyBootstrap bootstrap = new KeyBootstrap(keys, issuer, new SecurityProperties(null,
                    new SecurityProperties.Jwt(null, null, null, "whittle_team", "whittle_role"), Duration.ofSeconds(5)));
            secret = bootstrap.ensureAdmin().orElseThrow();
            assertThat(bootstrap.ensureAdmin()).as("a second start").isEmpty();
            assertThat(admin.as(secret).get("/api/v1/keys").status()).isEqualTo(200);
        } finally {
            jdbc.sql("update api_key set revoked_at = null where id in (:ids)").param("ids", active).update();
        }
        assertThat(output.getOut().split(java.util.regex.Pattern.quote(secret), -1)).hasSize(2); // printed once
        jdbc.sql("update api_key set revoked_at = now() where key_hash = :h").param("h", ApiKeySecrets.hash(secret)).update();
    }

    @Test
    void healthIsOpenWithoutDetailsAndMetricsNeedAnAdminOrMetricsKey() {
        Api.Response health = admin.anonymous().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().has("components")).isFalse();
        assertThat(admin.anonymous().get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(admin.anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(admin.anonymous().get("/actuator/metrics").status()).isEqualTo(401);
        assertThat(admin.as(key("viewer", "default")).get("/actuator/prometheus").status()).isEqualTo(403);
        assertThat(admin.as(key("metrics", "default")).get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(admin.get("/actuator/metrics").status()).isEqualTo(200);
        assertThat(admin.anonymous().get("/v3/api-docs").status()).isEqualTo(200);
    }

    @Test
    void aSignedJwtActsForTheTeamAndRoleItsClaimsName() {
        String team = "sso-" + UUID.randomUUID().toString().substring(0, 8);
        Api submitter = admin.as(TestJwt.token(Map.of("whittle_team", team, "whittle_role", List.of("whittle-submitter"))));
        assertThat(submitter.get("/api/v1/jobs").status()).isEqualTo(200);
        assertThat(submitter.get("/api/v1/jobs").json().get("totalItems").asLong()).isZero(); // a new team sees nothing yet
        assertThat(admin.get("/api/v1/teams").json().valueStream().map(t -> t.get("name").asString())).contains(team);
        Api viewer = admin.as(TestJwt.token(Map.of("whittle_team", team, "whittle_role", "viewer")));
        assertThat(viewer.post("/api/v1/jobs", "{}").status()).isEqualTo(403);

        Map<String, Object> claims = Map.of("whittle_team", team, "whittle_role", "admin");
        assertThat(admin.as(TestJwt.forged(claims)).get("/api/v1/jobs").status()).isEqualTo(401);
        assertThat(admin.as(TestJwt.expired(claims)).get("/api/v1/jobs").status()).isEqualTo(401);
        assertThat(admin.as(TestJwt.token(Map.of("whittle_role", "admin"))).get("/api/v1/jobs").status()).isEqualTo(401);
        assertThat(admin.as(TestJwt.token(Map.of("whittle_team", team))).get("/api/v1/jobs").status()).isEqualTo(401);
    }

    private String newTeam() {
        String team = "t-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        return team;
    }

    private String key(String role, String team) {
        Api.Response r = admin.post("/api/v1/keys", "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"team\":\"" + team + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("key").asString();
    }

    private static List<String> ids(JsonNode page) {
        return page.get("items").valueStream().map(i -> i.get("id").asString()).toList();
    }
}
