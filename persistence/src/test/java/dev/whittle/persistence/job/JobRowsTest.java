package dev.whittle.persistence.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelFile;
import dev.whittle.persistence.model.Models;
import dev.whittle.persistence.testing.WithTestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link JobRows} maps table {@code job} by hand beside Hibernate's mapping of {@link Job}: a job written through
 * either and read through both must be the same, field for field, at every point of its life (a column added to one
 * mapping and not the other fails here).
 */
@SpringBootTest(classes = JobQueueTest.PersistenceOnly.class, properties = {"spring.jpa.hibernate.ddl-auto=validate",
        "spring.jpa.open-in-view=false", "spring.batch.job.enabled=false"})
@WithTestDatabase
class JobRowsTest {

    @Autowired
    JobRows rows;
    @Autowired
    Jobs jobs;
    @Autowired
    JobQueue queue;
    @Autowired
    Models models;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aJobReadsTheSameThroughBothMappingsFromSubmissionToItsEnd() {
        jdbc.sql("update job set status = 'CANCELLED' where status in ('QUEUED', 'RUNNING', 'CANCELLING')").update();
        Model input = model("input-" + UUID.randomUUID());
        Model output = model("output-" + UUID.randomUUID());
        JsonNode recipe = JsonMapper.shared().readTree("{\"stages\":[{\"type\":\"PRUNE\",\"sparsity\":0.5}]}");
        Job submitted = rows.insert(new Job("named", input.getId(), recipe, 1, Map.of("team", "nlp", "run", "7"),
                "http://127.0.0.1:9/hook", 3, "key-" + UUID.randomUUID(), "hash"));

        assertThat(submitted.isNew()).as("an inserted job is a row: saving it again updates").isFalse();

        JobRows.Named queued = sameThroughBoth(submitted.getId());
        assertThat(queued.job().getStatus()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.job().getLabels()).containsEntry("run", "7");
        assertThat(queued.inputModelName()).isEqualTo(input.getName());
        assertThat(queued.outputModelName()).isNull();

        Claim claim = queue.claim("w1", Duration.ofSeconds(30)).orElseThrow();
        assertThat(claim.lease().jobId()).isEqualTo(submitted.getId());
        queue.reportProgress(claim.lease(), new JobProgress(0, 1, "PRUNE", 3L, 8L, 37.5, "layer 3/8",
                Instant.now().plusSeconds(60)));
        queue.recordBatchExecution(claim.lease(), 42);
        assertThat(sameThroughBoth(submitted.getId()).job().getProgress().unitDone()).isEqualTo(3L);

        queue.end(claim.lease(), JobStatus.SUCCEEDED, null, null,
                JsonMapper.shared().readTree("{\"stages\":[{\"sparsity\":0.5}]}"), output.getId());
        JobRows.Named ended = sameThroughBoth(submitted.getId());
        assertThat(ended.job().getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(ended.job().getCallbackState()).isEqualTo(CallbackState.PENDING);
        assertThat(ended.outputModelName()).isEqualTo(output.getName());
    }

    @Test
    void anIdempotencyKeyUsedTwiceByOneTeamIsRefused() {
        Model input = model("input-" + UUID.randomUUID());
        String key = "key-" + UUID.randomUUID();
        JsonNode recipe = JsonMapper.shared().readTree("{\"stages\":[{\"type\":\"INSPECT\"}]}");
        rows.insert(new Job(null, input.getId(), recipe, 1, Map.of(), null, 1, key, "a"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> rows.insert(new Job(null, input.getId(), recipe, 1, Map.of(), null, 1, key, "b")))
                .isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void anUnknownIdIsEmpty() {
        assertThat(rows.find(UUID.randomUUID())).isEmpty();
    }

    /** The job as Hibernate loads it (a fresh persistence context) equals the one {@link JobRows#find} reads. */
    private JobRows.Named sameThroughBoth(UUID id) {
        JobRows.Named plain = rows.find(id).orElseThrow();
        Job hibernate = jobs.findById(id).orElseThrow();
        assertThat(plain.job()).usingRecursiveComparison().withEqualsForType(JsonNode::equals, JsonNode.class)
                .isEqualTo(hibernate);
        return plain;
    }

    private Model model(String name) {
        return models.save(new Model(name, "/models/" + name, "llama", JsonMapper.shared().readTree("{\"layers\":2}"),
                1234, List.of(new ModelFile("config.json", 10, "ab")), List.of(), null));
    }
}
