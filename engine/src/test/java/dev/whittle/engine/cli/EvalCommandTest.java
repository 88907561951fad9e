package dev.whittle.engine.cli;

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

class EvalCommandTest {

    @TempDir
    static Path tmp;
    static Path model;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void write() throws IOException {
        model = tmp.resolve("model");
        TestModels.write(model, Family.LLAMA, 3, TestModels.options());
    }

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    @Test
    void aBuiltInTaskPrintsItsMetricsGroupsAndMacroAverage() {
        assertThat(run("eval", model.toString(), "--task", "ref-multiple-choice", "--limit", "6")).isZero();

        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).containsPattern("ref-multiple-choice\\s+acc\\s+[0-9.]+\\s+±[0-9.]+\\s+6\\s+0\\s+[0-9.]+s")
                .containsPattern("\\n\\s+acc_norm\\s+")
                .containsPattern("\\n  birth_date\\s+acc\\s+")
                .contains("(macro average)");
    }

    @Test
    void aTaskFileReadsItsDataNextToItAndWritesJsonResults() throws IOException {
        Files.writeString(tmp.resolve("qa.jsonl"), "{\"q\": \"The fox\", \"a\": \"dog\"}\n{\"q\": \"The sun\", \"a\": \"sky\"}\n");
        Path task = tmp.resolve("qa.json");
        Files.writeString(task, """
                {"name": "qa", "dataset": {"format": "jsonl", "path": "qa.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "generate_until", "answerField": "a", "maxTokens": 4}}
                """);
        Path output = tmp.resolve("results.json");

        assertThat(run("eval", model.toString(), "--task-file", task.toString(), "--output", output.toString())).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("qa\\s+exact_match");
        assertThat(Files.readString(output)).contains("\"task\" : \"qa\"", "\"records\"", "\"output\"");
    }

    @Test
    void noTaskIsAUsageErrorListingTheBuiltIns() {
        assertThat(run("eval", model.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("give --task NAME").contains("mcr-qa");
        assertThat(run("eval", model.toString(), "--task", "nope")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown task 'nope'");
    }
}
