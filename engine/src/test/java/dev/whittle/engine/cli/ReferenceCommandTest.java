package dev.whittle.engine.cli;

import dev.whittle.engine.corpus.KnowledgeCorpus;
import dev.whittle.engine.corpus.KnowledgeEvalSets;
import dev.whittle.engine.corpus.KnowledgePools;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceCommandTest {

    @TempDir
    static Path tmp;
    static Path model;
    static Path evalDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void write() throws IOException {
        model = tmp.resolve("model");
        TestModels.write(model, Family.LLAMA, 3, TestModels.options());
        evalDir = tmp.resolve("eval");
        KnowledgeEvalSets.write(new KnowledgeCorpus(new KnowledgeCorpus.Config(5, 6, 3, 4, 4, 0.5),
                KnowledgePools.standard()), evalDir);
    }

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    @Test
    void evalReferencePrintsEveryKnowledgeTaskAndWritesTheScores() throws IOException {
        Path json = tmp.resolve("scores.json");
        assertThat(run("eval-reference", model.toString(), "--eval-dir", evalDir.toString(), "--limit", "3",
                "--no-wikitext", "--output", json.toString())).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("closed-book QA (held-out people)", "in-context retrieval (unseen people)",
                "4-way multiple choice (held-out people)", "closed-book QA (trained people, diagnostic)", "/ 3)",
                "bars (>= 0.8 on the three knowledge tasks): not met").doesNotContain("WikiText-2");
        assertThat(Files.readString(json)).contains("\"closedBook\"", "\"multipleChoice\"");
    }

    @Test
    void evalReferenceWithoutAModelOrARunIsAUsageError() {
        assertThat(run("eval-reference")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("MODEL (a model folder) or --run-dir DIR");
    }

    @Test
    void trainReferenceNamesAnOptionThatIsNotANumber() {
        assertThat(run("train-reference", "--minutes", "soon")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--minutes must be a number, got 'soon'");
    }
}
