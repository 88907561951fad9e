package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A DISTILL whose teacher or adapter does not fit the job's model is refused at submission with a 422. */
@ApiTest
class DistillSubmissionTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    private String register(String folder) {
        Api.Response r = api.post("/api/v1/models", "{\"name\":\"" + folder + "\",\"path\":\"" + folder + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return folder;
    }

    private Api.Response submit(String model, String stage) {
        return api.post("/api/v1/jobs", "{\"model\":\"" + model + "\",\"stages\":[" + stage + "]}");
    }

    @Test
    void aTeacherWithAnotherVocabularyIsRefusedNamingBothSizes() {
        String student = register(TestModelFolders.llama());
        String teacher = register(TestModelFolders.write(Family.LLAMA, TestModels.options().vocab(300)));
        Api.Response r = submit(student, "{\"type\":\"DISTILL\",\"method\":\"logits\",\"teacher\":\"" + teacher
                + "\",\"data\":{\"builtIn\":\"knowledge-qa\"}}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorFields()).containsExactly("stages[0].teacher");
        assertThat(r.json().get("errors").get(0).get("message").asString())
                .contains("vocabulary of 300 tokens, the student " + TestModels.options().vocab());
    }

    @Test
    void aLoraTargetThatNamesNoLayerIsRefusedAtTheTarget() {
        String student = register(TestModelFolders.llama());
        Api.Response r = submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"builtIn\":\"knowledge-qa\"},"
                + "\"adapter\":{\"type\":\"lora\",\"targets\":[\"c_attn\"]}}");

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorFields()).containsExactly("stages[0].adapter.targets[0]");
        assertThat(submit(student, "{\"type\":\"DISTILL\",\"method\":\"sft\",\"data\":{\"builtIn\":\"knowledge-qa\"},"
                + "\"adapter\":{\"type\":\"lora\",\"targets\":[\"up_proj\"]}}").status()).isEqualTo(202);
    }
}
