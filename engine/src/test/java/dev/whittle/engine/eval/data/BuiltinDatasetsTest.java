package dev.whittle.engine.eval.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The data copied into the project reads back with the row counts of the public releases. */
class BuiltinDatasetsTest {

    private static final DatasetResolver BUILTIN = DatasetResolver.builtinOnly();
    private static final List<String> SUBJECTS = List.of("abstract_algebra", "astronomy", "college_biology",
            "computer_security", "high_school_geography", "marketing", "nutrition", "world_religions");

    @Test
    void freebaseQaDevHas4012QuestionsWithOneLowerCaseAnswerEach() throws IOException {
        List<Doc> docs = TaskDataFormat.FREEBASEQA.read(BUILTIN, "builtin:freebaseqa/FreebaseQA-dev.txt", "dev", List.of());

        assertThat(docs).hasSize(4012);
        Doc second = docs.get(1);
        assertThat(second.text("question")).isEqualTo("21 years ago today, supreme Iranian leader Ayatollah Khomeini "
                + "offered a $3 million bounty for the death of what British author of The Satanic Verses?");
        assertThat(second.text("answer")).isEqualTo("salman rushdie");
        assertThat(second.texts("aliases")).isEmpty();
        assertThat(docs.getLast().index()).isEqualTo(4011);
    }

    @Test
    void mmluTestHas1405RowsOverEightSubjectsAndDevHasFivePerSubject() throws IOException {
        List<Doc> test = TaskDataFormat.MMLU_CSV.read(BUILTIN, "builtin:mmlu", "test", SUBJECTS);
        List<Doc> dev = TaskDataFormat.MMLU_CSV.read(BUILTIN, "builtin:mmlu", "dev", SUBJECTS);

        assertThat(test).hasSize(1405);
        assertThat(countBySubject(test)).containsExactly(Map.entry("abstract_algebra", 100), Map.entry("astronomy", 152),
                Map.entry("college_biology", 144), Map.entry("computer_security", 100),
                Map.entry("high_school_geography", 198), Map.entry("marketing", 234), Map.entry("nutrition", 306),
                Map.entry("world_religions", 171));
        assertThat(dev).hasSize(40);
        assertThat(countBySubject(dev).values()).containsOnly(5);
        Doc first = test.getFirst();
        assertThat(first.text("question")).isEqualTo("Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.");
        assertThat(first.texts("choices")).containsExactly("0", "4", "2", "6");
        assertThat(first.text("answer")).isEqualTo("B");
        assertThat(first.get("gold")).isEqualTo(1L);
        assertThat(first.text("subject_name")).isEqualTo("abstract algebra");
    }

    @Test
    void wikiText2TestIsOneDocumentWithLfLineEnds() throws IOException {
        List<Doc> docs = TaskDataFormat.TEXT.read(BUILTIN, "builtin:wikitext2/wiki.test.raw", "test", List.of());

        assertThat(docs).hasSize(1);
        String text = docs.getFirst().text("text");
        assertThat(text).doesNotContain("\r").startsWith(" = Robert Boulter = \n Robert Boulter is an English film");
        // 1,290,547 bytes with 2,891 CRLF line ends.
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(1_290_547 - 2_891);
    }

    @Test
    void theReferenceEvaluationSetsAreOnTheClasspath() throws IOException {
        assertThat(TaskDataFormat.JSONL.read(BUILTIN, "builtin:reference/closed_book_qa.jsonl", "test", List.of())).hasSize(1200);
        List<Doc> mc = TaskDataFormat.JSONL.read(BUILTIN, "builtin:reference/multiple_choice.jsonl", "test", List.of());
        assertThat(mc).hasSize(1200);
        assertThat(mc.getFirst().texts("choices")).hasSize(4);
        assertThat(mc.getFirst().get("gold")).isInstanceOf(Long.class);
        assertThat(TaskDataFormat.JSONL.read(BUILTIN, "builtin:reference/in_context_retrieval.jsonl", "test", List.of())).hasSize(600);
    }

    private static Map<String, Integer> countBySubject(List<Doc> docs) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        docs.forEach(d -> counts.merge(d.text("subject"), 1, Integer::sum));
        return counts;
    }
}
