package dev.whittle.lab.corpus;

import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The evaluation sets that go with a {@link KnowledgeCorpus}, written as JSON lines:
 * <ul>
 *   <li>{@value #CLOSED_BOOK}: every fact of every held-out person, asked without context ({@link ClosedBook});</li>
 *   <li>{@value #MULTIPLE_CHOICE}: the same questions with four choices of the same kind ({@link MultipleChoice});</li>
 *   <li>{@value #IN_CONTEXT}: a passage about an unseen person and a question answered in it ({@link InContext});</li>
 *   <li>{@value #CLOSED_BOOK_TRAINED}: closed-book questions about the trained half, a diagnostic (those exact
 *       facts were asked in training, so this measures memorised answers, not extraction);</li>
 *   <li>{@value #PEOPLE}: every person with biographies and their facts; {@value #MANIFEST}: config and counts.</li>
 * </ul>
 * A prompt ends with "A:"; the expected continuation is " " + answer (or " " + choice), then a newline or the
 * end of text. Exact match compares the generated answer, trimmed, with {@code answer} or one of {@code aliases}.
 */
public final class KnowledgeEvalSets {

    public static final String CLOSED_BOOK = "closed_book_qa.jsonl";
    public static final String CLOSED_BOOK_TRAINED = "closed_book_qa_trained.jsonl";
    public static final String MULTIPLE_CHOICE = "multiple_choice.jsonl";
    public static final String IN_CONTEXT = "in_context_retrieval.jsonl";
    public static final String PEOPLE = "people.jsonl";
    /** The MoE reference's arithmetic domain: the held-out problems ({@link Arithmetic}), in the first phrasing. */
    public static final String ARITHMETIC = "arithmetic.jsonl";
    public static final String MANIFEST = "manifest.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long CHOICES = 7;

    /** A closed-book question: {@code prompt} is "Q: question\nA:". */
    public record ClosedBook(String id, String person, String attribute, String question, String prompt,
                             String answer, List<String> aliases) {
    }

    /** A 4-way multiple choice scored by the log-likelihood of " " + choice after {@code prompt}. */
    public record MultipleChoice(String id, String person, String attribute, String question, String prompt,
                                 List<String> choices, int gold) {
    }

    /** In-context retrieval: {@code prompt} is the passage, a newline, then "Q: question\nA:". */
    public record InContext(String id, String person, String attribute, String passage, String question,
                            String prompt, String answer, List<String> aliases) {
    }

    private KnowledgeEvalSets() {
    }

    /** Closed-book questions about every fact of {@code people}, ids prefixed with {@code idPrefix}. */
    public static List<ClosedBook> closedBook(KnowledgeCorpus corpus, List<Person> people, String idPrefix) {
        List<ClosedBook> items = new ArrayList<>();
        for (int p = 0; p < people.size(); p++) {
            Person person = people.get(p);
            for (Attribute attribute : Attribute.values()) {
                Biographer.QuestionAnswer qa = corpus.evalQuestion(person, attribute);
                items.add(new ClosedBook(idPrefix + "-" + p + "-" + attribute.key(), person.fullName(), attribute.key(),
                        qa.question(), qa.prompt(), qa.answer(), person.aliases(attribute)));
            }
        }
        return items;
    }

    /** Multiple-choice versions of the held-out closed-book questions; the gold position is uniform. */
    public static List<MultipleChoice> multipleChoice(KnowledgeCorpus corpus) {
        List<MultipleChoice> items = new ArrayList<>();
        List<Person> people = corpus.population().heldOut();
        for (int p = 0; p < people.size(); p++) {
            Person person = people.get(p);
            for (Attribute attribute : Attribute.values()) {
                Biographer.QuestionAnswer qa = corpus.evalQuestion(person, attribute);
                SplittableRandom random = Seeds.derive(corpus.config().seed(), CHOICES, p, attribute.ordinal());
                List<String> choices = new ArrayList<>(distractors(corpus, attribute, qa.answer(), random));
                int gold = random.nextInt(4);
                choices.add(gold, qa.answer());
                items.add(new MultipleChoice("mc-" + p + "-" + attribute.key(), person.fullName(), attribute.key(),
                        qa.question(), qa.prompt(), choices, gold));
            }
        }
        return items;
    }

    /** The in-context retrieval examples, about people who appear nowhere in training. */
    public static List<InContext> inContext(KnowledgeCorpus corpus) {
        List<InContext> items = new ArrayList<>();
        for (int i = 0; i < corpus.population().readingEval().size(); i++) {
            KnowledgeCorpus.ReadingExample example = corpus.readingEvalExample(i);
            items.add(new InContext("icr-" + i, example.person().fullName(), example.attribute().key(),
                    example.passage(), example.qa().question(), example.prompt(), example.qa().answer(),
                    example.person().aliases(example.attribute())));
        }
        return items;
    }

    /** Writes every set into {@code directory} (created if needed); returns the item count per file. */
    public static Map<String, Integer> write(KnowledgeCorpus corpus, Path directory) throws IOException {
        Files.createDirectories(directory);
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(CLOSED_BOOK, writeLines(directory.resolve(CLOSED_BOOK),
                closedBook(corpus, corpus.population().heldOut(), "cb")));
        counts.put(MULTIPLE_CHOICE, writeLines(directory.resolve(MULTIPLE_CHOICE), multipleChoice(corpus)));
        counts.put(IN_CONTEXT, writeLines(directory.resolve(IN_CONTEXT), inContext(corpus)));
        counts.put(CLOSED_BOOK_TRAINED, writeLines(directory.resolve(CLOSED_BOOK_TRAINED),
                closedBook(corpus, corpus.population().trained(), "cbt")));
        counts.put(PEOPLE, writeLines(directory.resolve(PEOPLE), peopleRows(corpus)));
        counts.put(ARITHMETIC, writeLines(directory.resolve(ARITHMETIC), arithmetic(new Arithmetic())));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("generator", KnowledgeCorpus.class.getName());
        manifest.put("config", corpus.config());
        manifest.put("files", counts);
        Files.writeString(directory.resolve(MANIFEST),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n", StandardCharsets.UTF_8);
        return counts;
    }

    /** Reads one of the JSON-lines files back as {@code type} ({@link ClosedBook}, {@link MultipleChoice}, ...). */
    public static <T> List<T> read(Path file, Class<T> type) throws IOException {
        List<T> items = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                items.add(JSON.readValue(lines.get(i), type));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a valid "
                        + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        return items;
    }

    /** One row per held-out problem: its id, operation, question, prompt and answer. */
    static List<Map<String, Object>> arithmetic(Arithmetic arithmetic) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Arithmetic.Problem problem : arithmetic.heldOut()) {
            Biographer.QuestionAnswer qa = problem.question(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", "ar-" + rows.size());
            row.put("operation", problem.plus() ? "plus" : "minus");
            row.put("question", qa.question());
            row.put("prompt", qa.prompt());
            row.put("answer", qa.answer());
            rows.add(row);
        }
        return rows;
    }

    private static List<Map<String, Object>> peopleRows(KnowledgeCorpus corpus) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Person person : corpus.peopleWithBiographies()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("person", person.fullName());
            row.put("group", corpus.population().heldOut().contains(person) ? "held_out" : "trained");
            for (Attribute attribute : Attribute.values()) {
                row.put(attribute.key(), person.value(attribute));
            }
            rows.add(row);
        }
        return rows;
    }

    /** Three different wrong values of the same kind as {@code answer}. */
    private static List<String> distractors(KnowledgeCorpus corpus, Attribute attribute, String answer,
                                            SplittableRandom random) {
        KnowledgePools pools = corpus.pools();
        List<String> pool = switch (attribute) {
            case BIRTH_DATE -> null;
            case BIRTH_CITY -> pools.cities();
            case UNIVERSITY -> pools.universities();
            case FIELD -> pools.fields();
            case EMPLOYER -> pools.employers().stream().map(KnowledgePools.Employer::name).toList();
            case WORK_CITY -> pools.employers().stream().map(KnowledgePools.Employer::city).distinct().toList();
        };
        Set<String> chosen = new LinkedHashSet<>();
        while (chosen.size() < 3) {
            String candidate = pool != null
                    ? pool.get(random.nextInt(pool.size()))
                    : Attribute.formatDate(Population.randomBirthDate(pools, random));
            if (!candidate.equals(answer)) {
                chosen.add(candidate);
            }
        }
        return new ArrayList<>(chosen);
    }

    private static int writeLines(Path file, List<?> items) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Object item : items) {
                out.write(JSON.writeValueAsString(item));
                out.write('\n');
            }
        }
        return items.size();
    }
}
