package dev.whittle.engine.tokenizer;

import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.engine.testing.FuzzContract;

/**
 * Rendering an arbitrary chat template (a model folder's tokenizer_config.json is untrusted input): a text, or a
 * {@link ChatTemplate.RenderException}; never another exception.
 */
class ChatTemplateFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void anyTemplateRendersOrIsRefused(FuzzedDataProvider data) {
        String content = data.consumeString(64);
        String source = data.consumeRemainingAsString();
        FuzzContract.onlyThrows(() -> new ChatTemplate(source, "<s>", "</s>").render(List.of(
                new ChatTemplate.Message("user", content), new ChatTemplate.Message("assistant", content)), true),
                List.of(ChatTemplate.RenderException.class));
    }
}
