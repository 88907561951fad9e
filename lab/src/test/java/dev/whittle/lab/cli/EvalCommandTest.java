package dev.whittle.lab.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class EvalCommandTest extends CliTest {

    @Test
    void aBuiltInTaskPrintsItsMetricsGroupsAndMacroAverage() {
        assertThat(run("eval", model.toString(), "--task", "ref-multiple-choice", "--limit", "6")).isZero();

        String table = out();
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

        assertThat(out()).containsPattern("qa\\s+exact_match");
        assertThat(Files.readString(output)).contains("\"task\" : \"qa\"", "\"records\"", "\"output\"");
    }

    @Test
    void noTaskIsAUsageErrorListingTheBuiltIns() {
        assertThat(run("eval", model.toString())).isEqualTo(2);
        assertThat(err()).contains("give --task NAME").contains("mcr-qa");
        assertThat(run("eval", model.toString(), "--task", "nope")).isEqualTo(2);
        assertThat(err()).contains("unknown task 'nope'");
    }
}
