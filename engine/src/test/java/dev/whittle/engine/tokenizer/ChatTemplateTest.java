package dev.whittle.engine.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real chat templates, copied from public tokenizer_config.json files (test resources), rendered and compared with
 * outputs written by hand from the Jinja2 semantics transformers renders them with.
 */
class ChatTemplateTest {

    private static final ChatTemplate.Message SYSTEM = new ChatTemplate.Message("system", "You are terse.");
    private static final ChatTemplate.Message USER = new ChatTemplate.Message("user", "Hi");
    private static final ChatTemplate.Message ASSISTANT = new ChatTemplate.Message("assistant", "Hello.");

    private static ChatTemplate template(String name) throws IOException, URISyntaxException {
        Path dir = Path.of(ChatTemplateTest.class.getResource("chat/" + name + "/tokenizer_config.json").toURI())
                .getParent();
        return ChatTemplate.load(dir).orElseThrow();
    }

    @Test
    void chatMlWrapsEveryTurnInImStartAndImEnd() throws Exception {
        ChatTemplate chatMl = template("chatml");

        assertThat(chatMl.render(List.of(SYSTEM, USER, ASSISTANT), false)).isEqualTo(
                "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\nHello.<|im_end|>\n");
        assertThat(chatMl.render(List.of(SYSTEM, USER), true)).isEqualTo(
                "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void llama3PutsBosFirstAndTrimsOnlyTheContent() throws Exception {
        ChatTemplate llama3 = template("llama3");
        // `'...\n\n' + message['content'] | trim + '<|eot_id|>'`: the filter binds to the content alone, as in Jinja2.
        ChatTemplate.Message spacedSystem = new ChatTemplate.Message("system", "  You are terse. ");

        assertThat(llama3.render(List.of(spacedSystem, USER, ASSISTANT), false)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>");
        assertThat(llama3.render(List.of(USER), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void qwen2AddsItsDefaultSystemPromptOnlyWhenTheConversationHasNone() throws Exception {
        ChatTemplate qwen2 = template("qwen2");

        assertThat(qwen2.render(List.of(USER), true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(qwen2.render(List.of(SYSTEM, USER), false)).isEqualTo(
                "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
    }

    @Test
    void llama2ReadsAddedTokenObjectsEscapesAndPythonStrip() throws Exception {
        ChatTemplate llama2 = template("llama2");
        ChatTemplate.Message paddedUser = new ChatTemplate.Message("user", "Hi  ");

        assertThat(llama2.render(List.of(new ChatTemplate.Message("system", "Be brief."), paddedUser, ASSISTANT),
                false)).isEqualTo("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. </s>");
    }

    @Test
    void raiseExceptionFailsTheRenderWithTheTemplatesMessage() throws Exception {
        ChatTemplate llama2 = template("llama2");

        assertThatThrownBy(() -> llama2.render(List.of(USER, USER), false))
                .isInstanceOf(ChatTemplate.RenderException.class)
                .hasMessage("the chat template raised an exception: Conversation roles must alternate "
                        + "user/assistant/user/assistant/...");
    }

    @Test
    void pythonStringMethodsBehaveAsPythons() {
        ChatTemplate t = new ChatTemplate("{{ ' a b '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'sys'.startswith('sy') }}|"
                + "{{ 'a.b'.endswith(('.c', '.b')) }}|{{ ' a  b '.split() | join('+') }}|{{ 'a,b,,c'.split(',') | length }}|"
                + "{{ 'hello world'.title() }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}", null, null);

        assertThat(t.render(List.of(), false)).isEqualTo("a b|hi|true|true|a+b|4|Hello World|ABab");
    }

    @Test
    void dictsIterateTheirKeysAndItems() {
        ChatTemplate t = new ChatTemplate("{% for k in messages[0] %}{{ k }},{% endfor %}|"
                + "{% for k, v in messages[0].items() %}{{ k }}={{ v }};{% endfor %}|{{ {'a': 1}['a'] }}", null, null);

        assertThat(t.render(List.of(USER), false)).isEqualTo("role,content,|role=user;content=Hi;|1");
    }

    @Test
    void anUnknownMethodFailsTheRenderNamingIt() {
        ChatTemplate t = new ChatTemplate("{{ messages[0].content.casefold() }}", null, null);

        assertThatThrownBy(() -> t.render(List.of(USER), false)).isInstanceOf(ChatTemplate.RenderException.class)
                .hasMessageContaining("casefold");
    }

    @Test
    void syntaxJinjavaDoesNotParseFailsTheRenderQuotingIt() {
        // Qwen3's template walks messages[::-1]; Jinjava has no extended slices.
        ChatTemplate t = new ChatTemplate("{% for m in messages[::-1] %}{{ m.role }}{% endfor %}", null, null);

        assertThatThrownBy(() -> t.render(List.of(USER), false)).isInstanceOf(ChatTemplate.RenderException.class)
                .hasMessageStartingWith("the chat template cannot render the conversation: ")
                .hasMessageContaining("messages[::-1]");
    }

    @Test
    void strftimeNowFormatsTodayAsPython() {
        ChatTemplate t = new ChatTemplate("{{ strftime_now('%Y-%m-%d') }}", null, null);
        LocalDate before = LocalDate.now();

        String rendered = t.render(List.of(), false);

        assertThat(rendered).isIn(before.toString(), LocalDate.now().toString());
    }

    @Test
    void dashesTrimWhitespaceAroundExpressionsAndTags() {
        ChatTemplate t = new ChatTemplate("{%- for m in messages %}\n  {{- m.role -}}\n  :{{ m.content }}\n{% endfor -%}\n",
                null, null);

        assertThat(t.render(List.of(USER, ASSISTANT), false)).isEqualTo("user:Hi\nassistant:Hello.\n");
    }

    @Test
    void aFolderWithoutATemplateHasNoneAndAJinjaFileIsRead(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThat(ChatTemplate.load(dir)).isEmpty();

        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), "{{ messages[0].content }}{{ eos_token }}");
        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(USER), false)).isEqualTo("Hi</s>");
    }

    @Test
    void aListOfNamedTemplatesUsesTheDefault(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ messages | length }} turns"}]}""");

        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(USER, ASSISTANT), false)).isEqualTo("2 turns");
    }
}
