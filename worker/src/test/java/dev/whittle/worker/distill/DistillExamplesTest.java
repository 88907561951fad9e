package dev.whittle.worker.distill;

import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.finetune.Conversation;
import dev.whittle.engine.train.finetune.DistillData;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A dataset in chat form is trained on as the prompt/response dataset its template renders it to. */
@WorkerTest
class DistillExamplesTest {

    @Autowired
    DistillExamples examples;
    @Autowired
    DatasetCatalog catalog;
    @Autowired
    StorageRoots storage;

    private static DistillData dataset(String name, String messagesField) {
        return new DistillData(name, null, null, null, messagesField, null);
    }

    private static List<SupervisedExample> tokenized(Tokenizer tokenizer, List<SelfDistillation.Example> texts) {
        return texts.stream().map(e -> SupervisedExample.of(tokenizer, e.prompt(), e.response())).toList();
    }

    @Test
    void conversationsGiveTheTokenMasksOfThePromptResponseDatasetTheyRenderTo(@TempDir Path model) throws IOException {
        Map<String, String> system = Map.of("role", "system", "content", "Answer briefly.");
        Map<String, String> user = Map.of("role", "user", "content", "which animal is number 1?");
        Map<String, String> assistant = Map.of("role", "assistant", "content", "the dog.");
        String chat = AnimalConversations.register(catalog, storage, List.of(
                Map.of("conversation", List.of(system, user, assistant)),
                Map.of("conversation", List.of(user, assistant, Map.of("role", "user", "content", "and 2?"),
                        Map.of("role", "assistant", "content", "the owl.")))));
        // What the template renders, written by hand: the bos the tokenizer adds itself is not written.
        String plain = AnimalConversations.register(catalog, storage, List.of(
                Map.of("prompt", "Answer briefly.\nQ: which animal is number 1?\nA:", "response", " the dog.</s>"),
                Map.of("prompt", "Q: which animal is number 1?\nA: the dog.</s>Q: and 2?\nA:", "response",
                        " the owl.</s>")));
        TestTokenizers.write(model, 320, true);
        ChatTemplate template = new ChatTemplate(AnimalConversations.TEMPLATE, "<s>", "</s>");
        DistillData chatData = dataset(chat, "conversation");

        assertThat(examples.problems(chatData)).isEmpty();
        assertThat(examples.inChatForm(chatData)).isTrue();
        assertThat(examples.inChatForm(dataset(plain, null))).isFalse();
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            List<SupervisedExample> fromChat = tokenized(tokenizer, examples.conversations(chatData).stream()
                    .map(c -> c.render(template, tokenizer)).toList());
            List<SupervisedExample> fromPlain = tokenized(tokenizer, examples.read(dataset(plain, null)));

            assertThat(fromChat).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(fromChat.get(i).prompt()).as("prompt %d", i).containsExactly(fromPlain.get(i).prompt());
                assertThat(fromChat.get(i).response()).as("response %d", i).containsExactly(fromPlain.get(i).response());
            }
        }
    }

    @Test
    void aLineThatIsNotAConversationIsNamed() throws IOException {
        String chat = AnimalConversations.register(catalog, storage, List.of(
                Map.of("messages", AnimalConversations.conversation(0)),
                Map.of("messages", List.of(Map.of("role", "user", "content", "no answer")))));

        assertThatThrownBy(() -> examples.conversations(dataset(chat, null)))
                .hasMessageEndingWith("line 2: the conversation has no assistant turn to train on");
        assertThat(examples.firstConversation(dataset(chat, null)).finalResponse())
                .isEqualTo(AnimalConversations.answer(0));
        String neither = AnimalConversations.register(catalog, storage, List.of(Map.of("text", "neither")));
        assertThat(examples.problems(dataset(neither, null)).getFirst().message())
                .endsWith("has no string field 'prompt' (nor a list 'messages' of a conversation)");
    }

    @Test
    void conversationsAreReadAsConversationObjects() throws IOException {
        String chat = AnimalConversations.register(catalog, storage);

        assertThat(examples.conversations(new DistillData(chat, null, null, null, null, 2)))
                .containsExactly(
                        new Conversation(List.of(new ChatTemplate.Message("user", AnimalConversations.question(0)),
                                new ChatTemplate.Message("assistant", AnimalConversations.answer(0)))),
                        new Conversation(List.of(new ChatTemplate.Message("user", AnimalConversations.question(1)),
                                new ChatTemplate.Message("assistant", AnimalConversations.answer(1)))));
    }
}
