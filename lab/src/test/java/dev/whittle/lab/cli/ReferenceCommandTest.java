package dev.whittle.lab.cli;

import dev.whittle.lab.corpus.KnowledgeCorpus;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.lab.corpus.KnowledgePools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceCommandTest extends CliTest {

    static Path evalDir;

    @BeforeAll
    static void writeEvalSets() throws IOException {
        evalDir = tmp.resolve("eval");
        KnowledgeEvalSets.write(new KnowledgeCorpus(new KnowledgeCorpus.Config(5, 6, 3, 4, 4, 0, 0.5),
                KnowledgePools.standard()), evalDir);
    }

    @Test
    void evalReferencePrintsEveryKnowledgeTaskAndWritesTheScores() throws IOException {
        Path json = tmp.resolve("scores.json");
        assertThat(run("eval-reference", model.toString(), "--eval-dir", evalDir.toString(), "--limit", "3",
                "--no-wikitext", "--output", json.toString())).isZero();
        String printed = out();
        assertThat(printed).contains("closed-book QA (held-out people)", "in-context retrieval (unseen people)",
                "4-way multiple choice (held-out people)", "closed-book QA (trained people, diagnostic)", "/ 3)",
                "bars (>= 0.8 on the three knowledge tasks): not met").doesNotContain("WikiText-2");
        assertThat(Files.readString(json)).contains("\"closedBook\"", "\"multipleChoice\"");
    }

    @Test
    void evalReferenceWithoutAModelOrARunIsAUsageError() {
        assertThat(run("eval-reference")).isEqualTo(2);
        assertThat(err()).contains("MODEL (a model folder) or --run-dir DIR");
    }

    @Test
    void trainReferenceNamesAnOptionThatIsNotANumber() {
        assertThat(run("train-reference", "--minutes", "soon")).isEqualTo(2);
        assertThat(err()).contains("--minutes must be a number, got 'soon'");
    }
}
