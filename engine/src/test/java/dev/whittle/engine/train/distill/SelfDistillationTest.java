package dev.whittle.engine.train.distill;

import dev.whittle.engine.Progress;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelfDistillationTest {

    @TempDir
    Path tmp;

    @Test
    void theDefaultCheckLooksForTheOriginalsFinalAnswerNormalisedInTheTeachers() {
        AnswerCheck check = AnswerCheck.finalAnswerAppears();
        assertThat(check.keepTeacher("Paris", "The capital is paris.")).isTrue();
        assertThat(check.keepTeacher("The Eiffel Tower", "it is the eiffel tower!")).isTrue();
        assertThat(check.keepTeacher("3 + 4 = 7, so #### 7", "She has 7 apples")).isTrue();
        assertThat(check.keepTeacher("3 + 4 = 7, so #### 7", "She has 17 apples")).isFalse();
        assertThat(check.keepTeacher("Paris", "Lyon")).isFalse();
    }

    @Test
    void aTemplateShowsTheTeacherThePromptAndTheOriginalResponse() {
        SelfDistillation.Example example = new SelfDistillation.Example("What is 2+2?", "4");
        assertThat(SelfDistillation.teacherPrompt("Q: {prompt}\nReference: {response}\nYour answer:", example))
                .isEqualTo("Q: What is 2+2?\nReference: 4\nYour answer:");
        assertThat(SelfDistillation.teacherPrompt(null, example)).isEqualTo("What is 2+2?");
        assertThat(SelfDistillation.teacherPrompt("{response} | {prompt}",
                new SelfDistillation.Example("p", "a {prompt} b"))).isEqualTo("a {prompt} b | p");
        assertThatThrownBy(() -> new SelfDistillation.Config("no placeholder", 8, List.of(), AnswerCheck.always()))
                .hasMessageContaining("{prompt}");
    }

    @Test
    void eachExampleKeepsTheTeachersGreedyAnswerOrTheOriginalAsTheCheckDecidesAndBothAreCounted() throws IOException {
        Path dir = tmp.resolve("teacher");
        TestModels.write(dir, Family.LLAMA, 11, TestModels.options().layers(2).hidden(16).heads(2).kvHeads(1)
                .intermediate(24).vocab(TestTokenizers.MIN_VOCAB));
        Decoder teacher = DecoderLoader.load(dir, Progress.NONE);
        List<SelfDistillation.Example> examples = List.of(new SelfDistillation.Example("a cat", "keep"),
                new SelfDistillation.Example("a dog", "original"), new SelfDistillation.Example("an owl", "keep"));
        String template = "{prompt} / {response}:";
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            SelfDistillation.Result result = SelfDistillation.regenerate(teacher, tokenizer, examples,
                    new SelfDistillation.Config(template, 6, List.of(), (original, answer) -> original.equals("keep")),
                    Progress.NONE);

            assertThat(result.teacherKept()).isEqualTo(2);
            assertThat(result.originalKept()).isEqualTo(1);
            Generator generator = new Generator(teacher, tokenizer);
            for (int i = 0; i < examples.size(); i++) {
                SelfDistillation.Example example = examples.get(i);
                String greedy = generator.generate(example.prompt() + " / " + example.response() + ":",
                        Generator.Settings.greedy(6), t -> { }, Progress.NONE).text();
                SelfDistillation.Outcome outcome = result.outcomes().get(i);
                assertThat(outcome.teacherResponse()).isEqualTo(greedy);
                assertThat(outcome.example().prompt()).isEqualTo(example.prompt());
                assertThat(outcome.example().response()).isEqualTo(outcome.teacherKept() ? greedy : "original");
            }
        }
    }
}
