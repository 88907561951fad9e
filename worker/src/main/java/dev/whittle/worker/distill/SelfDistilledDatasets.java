package dev.whittle.worker.distill;

import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.finetune.Conversation;
import dev.whittle.engine.train.finetune.DistillData;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The examples a self-distillation regenerated, as a registered JSONL dataset of their own (in the first data root):
 * each line holds {@code prompt}, {@code response} (what the student trains on), {@code teacherKept},
 * {@code teacherResponse} and {@code originalResponse}, so a user can read which answers the check kept and reuse the
 * set. A set regenerated from conversations keeps their form: {@code messages} (the conversation, its final assistant
 * turn the one the student trains on) in place of {@code prompt} and {@code response}. The dataset's name is fixed by the job and stage, so a restarted stage finds the set its earlier attempt
 * registered and does not regenerate it.
 */
@Component
public class SelfDistilledDatasets {

    private final Datasets datasets;
    private final DatasetCatalog catalog;
    private final StorageRoots storage;

    public SelfDistilledDatasets(Datasets datasets, DatasetCatalog catalog, StorageRoots storage) {
        this.datasets = datasets;
        this.catalog = catalog;
        this.storage = storage;
    }

    /** The name of the set stage {@code stageIndex} of job {@code jobId} registers. */
    public static String name(UUID jobId, int stageIndex) {
        return "self-distill-" + jobId + "-stage-" + stageIndex;
    }

    /** The set registered under {@code name} and its outcomes, if an earlier attempt registered it. */
    public Optional<Registered> find(String name) {
        return datasets.findVisibleByName(name).map(SelfDistilledDatasets::read);
    }

    /**
     * Writes the outcomes (atomically) and registers them as {@code name}; with {@code conversations} (one per
     * outcome, their final assistant turn the trained one; null for prompt/response examples), in chat form.
     */
    public Registered register(String name, SelfDistillation.Result result, List<Conversation> conversations) {
        Path file = storage.dataRoots().getFirst().resolve(name + ".jsonl");
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                for (int i = 0; i < result.outcomes().size(); i++) {
                    SelfDistillation.Outcome outcome = result.outcomes().get(i);
                    Map<String, Object> line = new LinkedHashMap<>();
                    if (conversations == null) {
                        line.put("prompt", outcome.example().prompt());
                        line.put("response", outcome.example().response());
                    } else {
                        line.put(DistillData.DEFAULT_MESSAGES_FIELD, conversations.get(i).messages());
                    }
                    line.put("teacherKept", outcome.teacherKept());
                    line.put("teacherResponse", outcome.teacherResponse());
                    line.put("originalResponse", outcome.teacherKept() ? null : outcome.example().response());
                    out.write(JsonMapper.shared().writeValueAsString(line));
                    out.write('\n');
                }
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the self-distilled dataset " + file, e);
        }
        return new Registered(catalog.register(name, file.toString(), DatasetFormat.JSONL), result, conversations);
    }

    /**
     * A registered set and what it holds; {@code conversations} for a set in chat form (null otherwise), whose
     * outcomes' examples then hold the final assistant turns only (the conversations hold the prompts).
     */
    public record Registered(Dataset dataset, SelfDistillation.Result result, List<Conversation> conversations) {
    }

    private static Registered read(Dataset dataset) {
        Path file = Path.of(dataset.getPath());
        List<SelfDistillation.Outcome> outcomes = new ArrayList<>();
        List<Conversation> conversations = new ArrayList<>();
        int kept = 0;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JsonMapper.shared().readTree(line);
                boolean teacherKept = node.get("teacherKept").asBoolean();
                kept += teacherKept ? 1 : 0;
                SelfDistillation.Example example;
                if (node.has(DistillData.DEFAULT_MESSAGES_FIELD)) {
                    List<ChatTemplate.Message> messages = new ArrayList<>();
                    node.get(DistillData.DEFAULT_MESSAGES_FIELD).forEach(m -> messages.add(
                            new ChatTemplate.Message(m.get("role").asString(), m.get("content").asString())));
                    Conversation conversation = new Conversation(messages);
                    conversations.add(conversation);
                    example = new SelfDistillation.Example("", conversation.finalResponse());
                } else {
                    example = new SelfDistillation.Example(node.get("prompt").asString(), node.get("response").asString());
                }
                outcomes.add(new SelfDistillation.Outcome(example, teacherKept, node.get("teacherResponse").asString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Registered(dataset, new SelfDistillation.Result(outcomes, kept, outcomes.size() - kept),
                conversations.isEmpty() ? null : List.copyOf(conversations));
    }
}
