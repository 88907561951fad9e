package dev.whittle.lab.cli;

import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PruneCommandTest extends CliTest {

    static Path text;

    @BeforeAll
    static void writeText() throws IOException {
        text = tmp.resolve("text.txt");
        Files.writeString(text, TestTokenizers.TRAINING_TEXT.repeat(4));
    }

    @Test
    void pruneWritesTheModelAndPrintsWhatItBecame() throws IOException {
        Path target = tmp.resolve("wanda");
        Path stats = tmp.resolve("stats.json");
        int code = run("prune", model.toString(), target.toString(), "--method", "wanda", "--nm", "2:4",
                "--calibration", text.toString(), "--nsamples", "4", "--seqlen", "32", "--stats", stats.toString());
        assertThat(code).as(err()).isZero();
        assertThat(target.resolve("model.safetensors")).isRegularFile();
        String printed = out();
        assertThat(printed).contains("sparsity     0.5000 of pruned matrices").contains("calibration  text file text.txt, 4 x 32")
                .contains("time").contains("forward");
        JsonNode json = new JsonMapper().readTree(stats.toFile());
        assertThat(json.get("prunedSparsity").doubleValue()).isEqualTo(0.5);
        assertThat(json.get("settings").get("nm").get("m").intValue()).isEqualTo(4);
    }

    @Test
    void anInvalidRequestNamesItsFieldsAndExitsWithTwo() {
        int code = run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "sparsegpt",
                "--sparsity", "1.5", "--blocks", "2");
        assertThat(code).isEqualTo(2);
        assertThat(err()).contains("sparsity: must be in [0, 1)")
                .contains("blocks: applies to block-removal");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    void calibrationSourcesAreRecognisedByForm() {
        assertThat(PruneCommand.source("builtin:knowledge", null)).isEqualTo(new CalibrationSource.BuiltIn("knowledge"));
        assertThat(PruneCommand.source("natural-english", null)).isEqualTo(new CalibrationSource.BuiltIn("natural-english"));
        assertThat(PruneCommand.source("c4.jsonl", null)).isEqualTo(new CalibrationSource.JsonLines(Path.of("c4.jsonl"), null));
        assertThat(PruneCommand.source("data.txt", null)).isEqualTo(new CalibrationSource.TextFile(Path.of("data.txt")));
        assertThat(PruneCommand.source("data", "body")).isEqualTo(new CalibrationSource.JsonLines(Path.of("data"), "body"));
    }
}
