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
