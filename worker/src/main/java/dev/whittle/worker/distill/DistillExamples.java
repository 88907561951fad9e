package dev.whittle.worker.distill;

import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.finetune.Conversation;
import dev.whittle.engine.train.finetune.DistillData;
import dev.whittle.engine.train.finetune.DistillProblem;
import dev.whittle.engine.train.finetune.RecoverySet;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a DISTILL's examples come from: a registered JSONL dataset (each line an object with a string prompt and
 * response in the named fields, or a conversation in chat form in the messages field; the first line says which) or a
 * built-in {@link RecoverySet}.
 */
@Component
public class DistillExamples {

    private final Datasets datasets;
    private final Map<String, RecoverySet> builtIn;

    public DistillExamples(Datasets datasets, List<RecoverySet> builtIn) {
        this.datasets = datasets;
        this.builtIn = builtIn.stream().collect(Collectors.toMap(RecoverySet::name, Function.identity()));
    }

    /** What is wrong with the source: a dataset that is not registered, not JSONL, or whose first line lacks a field. */
    public List<DistillProblem> problems(DistillData data) {
        List<DistillProblem> problems = new ArrayList<>();
        if (data.builtIn() != null) {
            if (!builtIn.containsKey(data.builtIn().id())) {
                problems.add(new DistillProblem("data.builtIn", "'" + data.builtIn().id() + "' is not provided here"));
            }
            return problems;
        }
        if (data.dataset() == null) {
            return problems;
        }
        Optional<Dataset> dataset = dataset(data.dataset());
        if (dataset.isEmpty()) {
            problems.add(new DistillProblem("data.dataset", "no dataset with id or name '" + data.dataset() + "'"));
        } else if (dataset.get().getFormat() != DatasetFormat.JSONL) {
            problems.add(new DistillProblem("data.dataset", "'" + data.dataset() + "' is " + dataset.get().getFormat()
                    + "; DISTILL reads JSONL datasets of prompt/response objects"));
        } else {
            JsonNode first = firstLine(Path.of(dataset.get().getPath()));
            if (first != null && isConversation(first, data)) {
                return problems;
            }
            for (String[] field : new String[][] {{"data.promptField", data.promptField()},
                    {"data.responseField", data.responseField()}}) {
                if (first != null && (first.get(field[1]) == null || !first.get(field[1]).isString())) {
                    problems.add(new DistillProblem(field[0], "the first line of '" + data.dataset()
                            + "' has no string field '" + field[1] + "' (nor a list '" + data.messagesField()
                            + "' of a conversation)"));
                }
            }
        }
        return problems;
    }

    /** Whether the source is a dataset in chat form: its first line has no string prompt, but a messages list. */
    public boolean inChatForm(DistillData data) {
        if (data.dataset() == null) {
            return false;
        }
        JsonNode first = dataset(data.dataset()).map(d -> firstLine(Path.of(d.getPath()))).orElse(null);
        return first != null && isConversation(first, data);
    }

    /** The conversations of a dataset in chat form, in its order (the first {@code limit} when given). */
    public List<Conversation> conversations(DistillData data) {
        List<Conversation> conversations = readConversations(Path.of(registered(data).getPath()), data.messagesField(),
                data.limit() == null ? Integer.MAX_VALUE : data.limit());
        if (conversations.isEmpty()) {
            throw new IllegalArgumentException("data: the source holds no examples");
        }
        return conversations;
    }

    /** The first conversation of a dataset in chat form (the first line, read alone). */
    public Conversation firstConversation(DistillData data) {
        List<Conversation> first = readConversations(Path.of(registered(data).getPath()), data.messagesField(), 1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException("the dataset holds no conversation");
        }
        return first.getFirst();
    }

    /** The examples of a prompt/response source, in its order (the first {@code limit} when given). */
    public List<SelfDistillation.Example> read(DistillData data) {
        List<SelfDistillation.Example> examples;
        if (data.builtIn() != null) {
            examples = builtIn.get(data.builtIn().id()).examples();
        } else {
            examples = readJsonLines(Path.of(registered(data).getPath()), data.promptField(), data.responseField());
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("data: the source holds no examples");
        }
        return data.limit() == null || data.limit() >= examples.size() ? examples
                : List.copyOf(examples.subList(0, data.limit()));
    }

    /** Every line's prompt and response; fails naming the line that is not an object with both strings. */
    static List<SelfDistillation.Example> readJsonLines(Path file, String promptField, String responseField) {
        List<SelfDistillation.Example> examples = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JsonMapper.shared().readTree(line);
                JsonNode prompt = node.get(promptField);
                JsonNode response = node.get(responseField);
                if (prompt == null || !prompt.isString() || response == null || !response.isString()) {
                    throw new IllegalArgumentException(file.getFileName() + " line " + number + ": needs string fields '"
                            + promptField + "' and '" + responseField + "'");
                }
                examples.add(new SelfDistillation.Example(prompt.asString(), response.asString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return examples;
    }

    /**
     * Every line's conversation: a list of objects with string {@code role} and {@code content} with an assistant
     * turn, the first {@code max}; fails naming the line that is not.
     */
    static List<Conversation> readConversations(Path file, String messagesField, int max) {
        List<Conversation> conversations = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null && conversations.size() < max;
                 line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file.getFileName() + " line " + number + ": ";
                JsonNode messages = JsonMapper.shared().readTree(line).get(messagesField);
                if (messages == null || !messages.isArray()) {
                    throw new IllegalArgumentException(where + "needs a list '" + messagesField + "' of messages");
                }
                List<ChatTemplate.Message> turns = new ArrayList<>();
                for (JsonNode message : messages) {
                    JsonNode role = message.get("role");
                    JsonNode content = message.get("content");
                    if (role == null || !role.isString() || content == null || !content.isString()) {
                        throw new IllegalArgumentException(where + "message " + (turns.size() + 1)
                                + " needs string fields 'role' and 'content'");
                    }
                    turns.add(new ChatTemplate.Message(role.asString(), content.asString()));
                }
                try {
                    conversations.add(new Conversation(turns));
                } catch (IllegalArgumentException noAssistant) {
                    throw new IllegalArgumentException(where + noAssistant.getMessage(), noAssistant);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return conversations;
    }

    private Dataset registered(DistillData data) {
        return dataset(data.dataset()).orElseThrow(() -> new IllegalStateException(
                "data.dataset: the dataset '" + data.dataset() + "' is no longer registered"));
    }

    private static boolean isConversation(JsonNode line, DistillData data) {
        JsonNode prompt = line.get(data.promptField());
        JsonNode messages = line.get(data.messagesField());
        return (prompt == null || !prompt.isString()) && messages != null && messages.isArray();
    }

    Optional<Dataset> dataset(String idOrName) {
        return datasets.findVisible(idOrName);
    }

    private static JsonNode firstLine(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    return JsonMapper.shared().readTree(line);
                }
            }
            return null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}
