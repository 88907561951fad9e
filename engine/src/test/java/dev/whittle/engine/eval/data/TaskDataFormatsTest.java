package dev.whittle.engine.eval.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each format read from small files written in the test. */
class TaskDataFormatsTest {

    @TempDir
    Path dir;

    @Test
    void freebaseQaOfficialJsonGivesTheRawQuestionAndEveryAnswerNameOfEveryParse() throws IOException {
        write("fbqa.json", """
                {"Dataset": "FreebaseQA-eval", "Version": "1.0", "Questions": [
                  {"Question-ID": "FreebaseQA-eval-0",
                   "RawQuestion": "Who wrote The Satanic Verses?",
                   "ProcessedQuestion": "who wrote the satanic verses",
                   "Parses": [
                     {"Parse-Id": "FreebaseQA-eval-0.P0", "TopicEntityName": "the satanic verses",
                      "InferentialChain": "book.written_work.author",
                      "Answers": [{"AnswersMid": "m.0abc", "AnswersName": ["salman rushdie"]}]},
                     {"Parse-Id": "FreebaseQA-eval-0.P1",
                      "Answers": [{"AnswersMid": "m.0abc", "AnswersName": ["salman rushdie", "sir salman rushdie"]}]}
                   ]},
                  {"Question-ID": "FreebaseQA-eval-1",
                   "ProcessedQuestion": "which planet is the red planet",
                   "Parses": [{"Answers": [{"AnswersName": ["mars"]}, {"AnswersName": ["planet mars"]}]}]}
                ]}
                """);

        List<Doc> docs = TaskDataFormat.FREEBASEQA.read(resolver(), "fbqa.json", "dev", List.of());

        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).id()).isEqualTo("FreebaseQA-eval-0");
        assertThat(docs.get(0).text("question")).isEqualTo("Who wrote The Satanic Verses?");
        assertThat(docs.get(0).text("answer")).isEqualTo("salman rushdie");
        assertThat(docs.get(0).texts("aliases")).containsExactly("sir salman rushdie");
        assertThat(docs.get(1).text("question")).isEqualTo("which planet is the red planet");
        assertThat(docs.get(1).texts("aliases")).containsExactly("planet mars");
    }

    @Test
    void freebaseQaTextSplitsAtTheLastBarAndNamesABadLine() throws IOException {
        write("fbqa.txt", "Who wrote The Satanic Verses? | salman rushdie \n\nEither | or? | both\nno answer here\n");

        assertThatThrownBy(() -> TaskDataFormat.FREEBASEQA.read(resolver(), "fbqa.txt", "dev", List.of()))
                .hasMessageEndingWith("fbqa.txt line 4: expected 'question | answer'");
        write("fbqa.txt", "Who wrote The Satanic Verses? | salman rushdie \n\nEither | or? | both\n");
        List<Doc> docs = TaskDataFormat.FREEBASEQA.read(resolver(), "fbqa.txt", "dev", List.of());
        assertThat(docs).extracting(d -> d.text("answer")).containsExactly("salman rushdie", "both");
        assertThat(docs.get(1).text("question")).isEqualTo("Either | or?");
    }

    @Test
    void triviaQaJsonGivesQuestionAnswerAliasesAndInlinedContext() throws IOException {
        write("tqa.json", """
                {"Data": [{"QuestionId": "tc_1", "Question": "Which city hosts the Louvre?",
                  "Answer": {"Value": "Paris", "Aliases": ["Paris", "City of Light"], "NormalizedAliases": ["paris", "city of light"]},
                  "Context": ["The Louvre is in Paris.", "It opened in 1793."]}]}
                """);

        Doc doc = TaskDataFormat.TRIVIAQA_JSON.read(resolver(), "tqa.json", "dev", List.of()).getFirst();

        assertThat(doc.id()).isEqualTo("tc_1");
        assertThat(doc.text("answer")).isEqualTo("Paris");
        assertThat(doc.texts("aliases")).containsExactly("City of Light", "paris", "city of light");
        assertThat(doc.text("context")).isEqualTo("The Louvre is in Paris.\n\nIt opened in 1793.");
    }

    @Test
    void jsonLinesKeepsFieldsFlattensObjectsAndNamesTheBadLine() throws IOException {
        write("d.jsonl", "{\"q\": \"x\", \"n\": 3, \"meta\": {\"lang\": \"en\"}, \"opts\": [\"a\", 2]}\n\n{\"q\": \"y\"\n");

        assertThatThrownBy(() -> TaskDataFormat.JSONL.read(resolver(), "d.jsonl", "test", List.of()))
                .hasMessageContaining("d.jsonl line 3: not valid JSON");
        write("d.jsonl", "{\"q\": \"x\", \"n\": 3, \"meta\": {\"lang\": \"en\"}, \"opts\": [\"a\", 2]}\n");
        Doc doc = TaskDataFormat.JSONL.read(resolver(), "d.jsonl", "test", List.of()).getFirst();
        assertThat(doc.get("n")).isEqualTo(3L);
        assertThat(doc.text("meta.lang")).isEqualTo("en");
        assertThat(doc.texts("opts")).containsExactly("a", "2");
        assertThatThrownBy(() -> doc.get("answer")).hasMessage("document 0 has no field 'answer' (it has: q, n, meta.lang, opts)");
    }

    @Test
    void aSplitPlaceholderPicksTheFileAndMmluReadsAFolderItCanList() throws IOException {
        write("qa/dev.jsonl", "{\"q\": \"dev\"}\n");
        write("qa/test.jsonl", "{\"q\": \"test\"}\n");
        write("mmlu/test/b_test.csv", "q1,1,2,3,4,D\n");
        write("mmlu/test/a_test.csv", "q0,1,2,3,4,A\n");

        assertThat(TaskDataFormat.JSONL.read(resolver(), "qa/{split}.jsonl", "dev", List.of()).getFirst().text("q")).isEqualTo("dev");
        assertThat(TaskDataFormat.MMLU_CSV.read(resolver(), "mmlu", "test", List.of()))
                .extracting(d -> d.text("subject")).containsExactly("a", "b");
        write("mmlu/test/c_test.csv", "q2,1,2,3,4,E\n");
        assertThatThrownBy(() -> TaskDataFormat.MMLU_CSV.read(resolver(), "mmlu", "test", List.of("c")))
                .hasMessageContaining("c_test.csv row 1: the answer must be one of A, B, C, D, got 'E'");
    }

    @Test
    void missingFilesAndEmptyDatasetsAreNamed() throws IOException {
        assertThatThrownBy(() -> TaskDataFormat.JSONL.read(resolver(), "nope.jsonl", "test", List.of()))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.jsonl");
        assertThatThrownBy(() -> TaskDataFormat.MMLU_CSV.read(DatasetResolver.builtinOnly(), "builtin:mmlu", "test", List.of()))
                .hasMessageContaining("name the subsets");
        write("empty.jsonl", "\n\n");
        assertThatThrownBy(() -> TaskDataFormat.JSONL.read(resolver(), "empty.jsonl", "test", List.of()))
                .hasMessageContaining("no documents in split 'test'");
        Files.write(dir.resolve("bad.txt"), new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> TaskDataFormat.TEXT.read(resolver(), "bad.txt", "test", List.of()))
                .hasMessageContaining("bad.txt: not valid UTF-8");
    }

    @Test
    void aConfinedResolverRefusesPathsOutsideItsFolder() {
        DatasetResolver confined = DatasetResolver.confinedTo(dir);
        assertThatThrownBy(() -> confined.resolve("../x.jsonl")).hasMessageContaining("must stay inside");
        assertThatThrownBy(() -> confined.resolve("/etc/passwd")).hasMessageContaining("must stay inside");
        assertThatThrownBy(() -> confined.resolve("builtin:../x")).hasMessageContaining("without '..'");
        assertThatThrownBy(() -> DatasetResolver.builtinOnly().resolve("x.jsonl")).hasMessageContaining("only built-in");
        assertThat(confined.resolve("sub/x.jsonl").toString()).isEqualTo(dir.resolve("sub/x.jsonl").toString());
    }

    @Test
    void aConfinedResolverRefusesALinkOutOfItsFolderAtEveryRead() throws IOException {
        Path inside = Files.createDirectories(dir.resolve("root"));
        Path secret = Files.writeString(dir.resolve("passwd"), "{\"question\":\"root:x:0:0\",\"answer\":\"x\"}\n");
        Files.createSymbolicLink(inside.resolve("linked.jsonl"), secret);
        DatasetResolver confined = DatasetResolver.confinedTo(inside);
        assertThatThrownBy(() -> TaskDataFormat.JSONL.read(confined, "linked.jsonl", "test", List.of()))
                .hasMessageContaining("outside").hasMessageContaining("links may not leave it");

        // Resolved while it was a plain file, swapped for a link before it is read.
        Path swapped = Files.writeString(inside.resolve("swapped.txt"), "harmless text\n");
        DataPath resolved = confined.resolve("swapped.txt");
        assertThat(resolved.readText()).isEqualTo("harmless text\n");
        Files.delete(swapped);
        Files.createSymbolicLink(swapped, secret);
        assertThatThrownBy(resolved::readText).hasMessageContaining("outside");

        // A link that stays inside the folder reads as usual.
        Files.createSymbolicLink(inside.resolve("alias.txt"), inside.resolve("plain.txt"));
        Files.writeString(inside.resolve("plain.txt"), "inside\n");
        assertThat(confined.resolve("alias.txt").readText()).isEqualTo("inside\n");
    }

    private DatasetResolver resolver() {
        return DatasetResolver.relativeTo(dir);
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
