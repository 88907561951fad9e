package dev.whittle.worker.distill;

import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.storage.StorageRoots;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link AnimalDataset}'s questions as conversations in chat form, and a small chat template for the test models'
 * tokenizer (bos {@code <s>}, eos {@code </s>}): questions after "Q: ", answers after "A: " closed by eos.
 */
final class AnimalConversations {

    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}"
            + "{% if m.role == 'system' %}{{ m.content }}\n"
            + "{% elif m.role == 'user' %}Q: {{ m.content }}\n"
            + "{% elif m.role == 'assistant' %}A: {{ m.content }}{{ eos_token }}{% endif %}"
            + "{% endfor %}{% if add_generation_prompt %}A:{% endif %}";

    private AnimalConversations() {
    }

    static String question(int i) {
        return "which animal is number " + i + "?";
    }

    static String answer(int i) {
        return "the " + AnimalDataset.ANIMALS[i] + ".";
    }

    /** Line i: [user question(i), assistant answer(i)]. */
    static List<Map<String, String>> conversation(int i) {
        return List.of(Map.of("role", "user", "content", question(i)), Map.of("role", "assistant", "content", answer(i)));
    }

    /** Registers {@code lines} (each a JSON object) as a fresh JSONL dataset and returns its name. */
    static String register(DatasetCatalog catalog, StorageRoots storage, List<?> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Object line : lines) {
            text.append(JsonMapper.shared().writeValueAsString(line)).append('\n');
        }
        String name = "animal-chats-" + UUID.randomUUID();
        Path file = storage.dataRoots().getFirst().resolve(name + ".jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return catalog.register(name, file.toString(), DatasetFormat.JSONL).getName();
    }

    /** Every animal's conversation in the field "messages". */
    static String register(DatasetCatalog catalog, StorageRoots storage) throws IOException {
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (int i = 0; i < AnimalDataset.ANIMALS.length; i++) {
            lines.add(Map.of("messages", conversation(i)));
        }
        return register(catalog, storage, lines);
    }

    /** Gives the model folder's tokenizer_config.json the chat template {@code template}. */
    static void addTemplate(Path model, String template) throws IOException {
        Path file = model.resolve("tokenizer_config.json");
        ObjectNode config = (ObjectNode) JsonMapper.shared().readTree(file.toFile());
        config.put("chat_template", template);
        Files.writeString(file, JsonMapper.shared().writeValueAsString(config));
    }
}
