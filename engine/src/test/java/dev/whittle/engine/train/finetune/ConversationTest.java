package dev.whittle.engine.train.finetune;

import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.distill.SelfDistillation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A conversation's final assistant turn as prompt and response: what is trained on, token for token. */
class ConversationTest {

    /** Questions and answers, each answer closed by eos; the generation prompt opens an answer. */
    static final ChatTemplate QA = new ChatTemplate("{{ bos_token }}{% for m in messages %}"
            + "{% if m.role == 'user' %}Q: {{ m.content }}\n"
            + "{% elif m.role == 'assistant' %}A: {{ m.content }}{{ eos_token }}{% endif %}"
            + "{% endfor %}{% if add_generation_prompt %}A:{% endif %}", "<s>", "</s>");

    static Tokenizer tokenizer;

    @BeforeAll
    static void tokenizer(@TempDir Path dir) throws IOException {
        TestTokenizers.write(dir, 300, true);
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static ChatTemplate.Message user(String text) {
        return new ChatTemplate.Message("user", text);
    }

    private static ChatTemplate.Message assistant(String text) {
        return new ChatTemplate.Message("assistant", text);
    }

    @Test
    void theFinalAssistantTurnIsTheResponseAndEverythingBeforeItThePrompt() {
        Conversation chat = new Conversation(List.of(user("one?"), assistant("1."), user("two?"), assistant("2.")));

        assertThat(chat.render(QA)).isEqualTo(new SelfDistillation.Example("<s>Q: one?\nA: 1.</s>Q: two?\nA:", " 2.</s>"));
    }

    @Test
    void theTokensAreTheWholeRenderingsWithOneBosAndTheTemplatesEos() {
        Conversation chat = new Conversation(List.of(user("which animal is number 0?"), assistant("the cat.")));

        SelfDistillation.Example text = chat.render(QA, tokenizer);
        SupervisedExample example = SupervisedExample.of(tokenizer, text.prompt(), text.response());

        int[] prompt = tokenizer.encode("Q: which animal is number 0?\nA:", true);
        int[] whole = tokenizer.encode("Q: which animal is number 0?\nA: the cat.</s>", true);
        assertThat(prompt[0]).isEqualTo(TestTokenizers.BOS_ID);
        assertThat(prompt[1]).as("one bos").isNotEqualTo(TestTokenizers.BOS_ID);
        assertThat(whole[whole.length - 1]).isEqualTo(TestTokenizers.EOS_ID);
        assertThat(example.prompt()).isEqualTo(prompt);
        assertThat(example.response()).as("the answer and the template's eos, no second eos")
                .isEqualTo(Arrays.copyOfRange(whole, prompt.length, whole.length));
    }

    @Test
    void messagesAfterTheFinalAssistantTurnAreLeftOut() {
        Conversation chat = new Conversation(List.of(user("one?"), assistant("1."), user("and?")));

        assertThat(chat.render(QA).response()).isEqualTo(" 1.</s>");
        assertThat(chat.withFinalResponse("one.").messages()).containsExactly(user("one?"), assistant("one."));
    }

    @Test
    void aTemplateThatIsNotPrefixStableIsRefusedSayingWhere() {
        ChatTemplate unstable = new ChatTemplate("{% if add_generation_prompt %}Be brief.\n{% endif %}"
                + "{% for m in messages %}{{ m.content }}\n{% endfor %}", null, null);
        Conversation chat = new Conversation(List.of(user("one?"), assistant("1.")));

        assertThatThrownBy(() -> chat.render(unstable)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not prefix-stable")
                .hasMessageContaining("character 0");
    }

    @Test
    void aConversationWithoutAnAssistantTurnIsRefused() {
        assertThatThrownBy(() -> new Conversation(List.of(user("one?"))))
                .hasMessage("the conversation has no assistant turn to train on");
    }
}
