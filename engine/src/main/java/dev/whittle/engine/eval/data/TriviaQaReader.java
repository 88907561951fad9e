package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TriviaQA's JSON for reading comprehension: {@code {"Data": [{"QuestionId", "Question", "Answer": {"Value",
 * "Aliases", "NormalizedAliases"}, "Context"}]}}. The official release keeps the evidence in separate files; here
 * it is inlined as {@code Context} (a string, or a list of passages joined by blank lines). Aliases are
 * {@code Aliases} then {@code NormalizedAliases}, without repeats and without the value itself.
 */
final class TriviaQaReader implements DatasetReader {

    private static final JsonMapper JSON = new JsonMapper();

    @Override
    public List<Doc> read(DataPath path, String split, List<String> subsets) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(path.readText());
        } catch (JacksonException e) {
            throw new DatasetException(path + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode data = root.path("Data");
        if (!data.isArray()) {
            throw new DatasetException(path + ": expected {\"Data\": [...]} (TriviaQA JSON)");
        }
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            String where = path + " Data[" + i + "]";
            String question = item.path("Question").asString("");
            String value = item.path("Answer").path("Value").asString("");
            if (question.isBlank() || value.isBlank()) {
                throw new DatasetException(where + ": needs Question and Answer.Value");
            }
            JsonNode contextNode = item.path("Context");
            String context = contextNode.isArray() ? String.join("\n\n", JsonValues.strings(contextNode))
                    : contextNode.asString("");
            if (context.isBlank()) {
                throw new DatasetException(where + ": needs the evidence text as Context");
            }
            Set<String> aliases = new LinkedHashSet<>(JsonValues.strings(item.path("Answer").path("Aliases")));
            aliases.addAll(JsonValues.strings(item.path("Answer").path("NormalizedAliases")));
            aliases.remove(value);
            Map<String, Object> fields = new LinkedHashMap<>();
            String id = item.path("QuestionId").asString("");
            fields.put("id", id.isEmpty() ? "q-" + i : id);
            fields.put("question", question.strip());
            fields.put("answer", value.strip());
            fields.put("aliases", List.copyOf(aliases));
            fields.put("context", context);
            docs.add(new Doc(docs.size(), fields));
        }
        return docs;
    }
}
