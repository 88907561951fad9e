package dev.whittle.engine.eval.data;

import java.io.IOException;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The dataset formats a task can name, and the fields their documents carry.
 * <ul>
 *   <li>{@code jsonl}: one JSON object per line; every field as given (nested objects as {@code outer.inner}).</li>
 *   <li>{@code text}: the whole file as one document {@code {id: file name, text}}, CRLF read as LF.</li>
 *   <li>{@code mmlu-csv}: the official MMLU CSV (no header: question, A, B, C, D, answer letter), the path a folder
 *   holding {@code <split>/<subject>_<split>.csv}: {@code id, question, choices[4], answer (letter), gold (0-3),
 *   subject, subject_name}.</li>
 *   <li>{@code freebaseqa}: FreebaseQA as {@code question | answer} lines or the official JSON
 *   ({@code {"Questions":[{"RawQuestion", "ProcessedQuestion", "Parses":[{"Answers":[{"AnswersName":[..]}]}]}]}}):
 *   {@code id, question, answer, aliases}.</li>
 *   <li>{@code triviaqa-json}: TriviaQA's JSON ({@code {"Data":[{"QuestionId", "Question", "Answer":{"Value",
 *   "Aliases", "NormalizedAliases"}, "Context"}]}}, the evidence inlined as {@code Context}):
 *   {@code id, question, answer, aliases, context}.</li>
 * </ul>
 */
public enum TaskDataFormat {
    JSONL("jsonl", new JsonLinesReader()),
    TEXT("text", new TextReader()),
    MMLU_CSV("mmlu-csv", new MmluCsvReader()),
    FREEBASEQA("freebaseqa", new FreebaseQaReader()),
    TRIVIAQA_JSON("triviaqa-json", new TriviaQaReader());

    private final String id;
    private final DatasetReader reader;

    TaskDataFormat(String id, DatasetReader reader) {
        this.id = id;
        this.reader = reader;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** Whether the format reads named subsets (files) of a folder. */
    public boolean hasSubsets() {
        return this == MMLU_CSV;
    }

    public static Optional<TaskDataFormat> byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(TaskDataFormat::id).toList();
    }

    /**
     * Reads one split. {@code {split}} in {@code path} is replaced by the split's name, so a dataset with one file per
     * split is written {@code data/{split}.jsonl}; a path without it reads the same file for every split.
     */
    public List<Doc> read(DatasetResolver resolver, String path, String split, List<String> subsets) throws IOException {
        DataPath resolved = resolver.resolve(path.replace("{split}", split));
        List<Doc> docs = reader.read(resolved, split, subsets);
        if (docs.isEmpty()) {
            throw new DatasetException(resolved + ": no documents in split '" + split + "'");
        }
        return docs;
    }
}
