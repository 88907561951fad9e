package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A DISTILL whose teacher, adapter or dataset does not fit the job's model is refused at submission with a 422; a
 * dataset of conversations trains on a model with a chat template.
 */
@ApiTest
class DistillSubmissionTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    /** Conversations "which animal is number i?" / "the ...", registered as a JSONL dataset; returns its name. */
    private String conversations() throws IOException {
        String[] animals = {"cat", "dog", "owl", "fox", "bee", "elk"};
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < animals.length; i++) {
            lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"which animal is number ").append(i)
                    .append("?\"},{\"role\":\"assistant\",\"content\":\"the ").append(animals[i]).append(".\"}]}\n");
        }
        String name = "chats-" + UUID.randomUUID();
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(name + ".jsonl"), lines);
        Api.Response r = api.post("/api/v1/datasets", "{\"name\":\"" + name + "\",\"path\":\"" + name
                + ".jsonl\",\"format\":\"jsonl\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    @Test
    void aTeacherWithAnotherVocabularyIsRefusedNamingBothSizes() {
        String student = api.registerModel(TestModelFolders.llama());
        String teacher = api.registerModel(TestModelFolders.write(Family.LLAMA, TestModels.options().vocab(300)));
        Api.Response r = api.submit(student, "{\"type\":\"DISTILL\",\"method\":\"logits\",\"teacher\":\"" + teacher
                + "\",\"data\":{\"builtIn\":\"knowledge-qa\"}}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorFields()).containsExactly("stages[0].teacher");
        assertThat(r.json().get("errors").get(0).get("message").asString())
                .contains("vocabulary of 300 tokens, the student " + TestModels.options().vocab());
    }

    @Test
    void conversationsOnAModelWithoutAChatTemplateAreRefusedSayingSo() throws IOException {
        String student = api.registerModel(TestModelFolders.llama());
        Api.Response r = api.submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"dataset\":\""
                + conversations() + "\"}}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.errorFields()).containsExactly("stages[0].data.dataset");
        assertThat(r.json().get("errors").get(0).get("message").asString())
                .contains("holds conversations (chat form), but the model has no chat template");
    }

    @Test
    void conversationsTrainOnAModelWithAChatTemplate() throws IOException {
        String folder = TestModelFolders.llama();
        Path config = TestModelFolders.MODEL_ROOT.resolve(folder).resolve("tokenizer_config.json");
        ObjectNode tokenizerConfig = (ObjectNode) JsonMapper.shared().readTree(config.toFile());
        tokenizerConfig.put("chat_template", "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}"
                + "Q: {{ m.content }}\n{% else %}A: {{ m.content }}{{ eos_token }}{% endif %}{% endfor %}"
                + "{% if add_generation_prompt %}A:{% endif %}");
        Files.writeString(config, JsonMapper.shared().writeValueAsString(tokenizerConfig));
        String student = api.registerModel(folder);

        Api.Response r = api.submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"dataset\":\""
                + conversations() + "\"},\"training\":{\"steps\":2,\"batchTokens\":64,\"maxLength\":32,"
                + "\"validationFraction\":0}}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        JsonNode done = api.poll("/api/v1/jobs/" + r.json().get("id").asString(),
                j -> j.get("status").asString().matches("SUCCEEDED|FAILED"), Duration.ofSeconds(120));

        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aLoraTargetThatNamesNoLayerIsRefusedAtTheTarget() {
        String student = api.registerModel(TestModelFolders.llama());
        Api.Response r = api.submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"builtIn\":\"knowledge-qa\"},"
                + "\"adapter\":{\"type\":\"lora\",\"targets\":[\"c_attn\"]}}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorFields()).containsExactly("stages[0].adapter.targets[0]");
        assertThat(api.submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"builtIn\":\"knowledge-qa\"},"
                + "\"adapter\":{\"type\":\"lora\",\"targets\":[\"up_proj\"]}}").status()).isEqualTo(202);
    }
}
