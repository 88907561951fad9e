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
 * FreebaseQA in either of its forms, told apart by the first character: the official JSON release, or the text form
 * LLM-KICK evaluates, one {@code question | answer} per line (split at the last '|').
 * <p>
 * From JSON the question is {@code RawQuestion} (the text as asked; the text form has it too), else
 * {@code ProcessedQuestion}; the answers are every {@code AnswersName} of every parse, in order and without repeats:
 * the first is {@code answer}, the rest {@code aliases}.
 */
final class FreebaseQaReader implements DatasetReader {

    private static final JsonMapper JSON = new JsonMapper();

    @Override
    public List<Doc> read(DataPath path, String split, List<String> subsets) throws IOException {
        String text = path.readText();
        return text.stripLeading().startsWith("{") ? readJson(path, text) : readLines(path, text);
    }

    private static List<Doc> readLines(DataPath path, String text) {
        String[] lines = text.split("\n", -1);
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int bar = line.lastIndexOf('|');
            String question = bar < 0 ? "" : line.substring(0, bar).strip();
            String answer = bar < 0 ? "" : line.substring(bar + 1).strip();
            if (question.isEmpty() || answer.isEmpty()) {
                throw new DatasetException(path + " line " + (i + 1) + ": expected 'question | answer'");
            }
            docs.add(doc(docs.size(), "line-" + (i + 1), question, List.of(answer)));
        }
        return docs;
    }

    private static List<Doc> readJson(DataPath path, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new DatasetException(path + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode questions = root.path("Questions");
        if (!questions.isArray()) {
            throw new DatasetException(path + ": expected {\"Questions\": [...]} (the official FreebaseQA JSON)");
        }
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            JsonNode q = questions.get(i);
            String where = path + " Questions[" + i + "]";
            String question = q.path("RawQuestion").asString("");
            if (question.isBlank()) {
                question = q.path("ProcessedQuestion").asString("");
            }
            if (question.isBlank()) {
                throw new DatasetException(where + ": no RawQuestion or ProcessedQuestion");
            }
            Set<String> answers = new LinkedHashSet<>();
            for (JsonNode parse : q.path("Parses")) {
                for (JsonNode answer : parse.path("Answers")) {
                    for (String name : JsonValues.strings(answer.path("AnswersName"))) {
                        if (!name.isBlank()) {
                            answers.add(name.strip());
                        }
                    }
                }
            }
            if (answers.isEmpty()) {
                throw new DatasetException(where + ": no Parses[].Answers[].AnswersName");
            }
            String id = q.path("Question-ID").asString("");
            docs.add(doc(docs.size(), id.isEmpty() ? "q-" + i : id, question.strip(), List.copyOf(answers)));
        }
        return docs;
    }

    private static Doc doc(int index, String id, String question, List<String> answers) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("question", question);
        fields.put("answer", answers.getFirst());
        fields.put("aliases", List.copyOf(answers.subList(1, answers.size())));
        return new Doc(index, fields);
    }
}
