package dev.whittle.engine.cli;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PruneCommandTest {

    @TempDir
    static Path tmp;
    static Path model;
    static Path text;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void write() throws IOException {
        model = tmp.resolve("model");
        TestModels.write(model, Family.LLAMA, 3, TestModels.options());
        text = tmp.resolve("text.txt");
        Files.writeString(text, TestTokenizers.TRAINING_TEXT.repeat(4));
    }

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    @Test
    void pruneWritesTheModelAndPrintsWhatItBecame() throws IOException {
        Path target = tmp.resolve("wanda");
        Path stats = tmp.resolve("stats.json");
        int code = run("prune", model.toString(), target.toString(), "--method", "wanda", "--nm", "2:4",
                "--calibration", text.toString(), "--nsamples", "4", "--seqlen", "32", "--stats", stats.toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(target.resolve("model.safetensors")).isRegularFile();
        String printed = out.toString(StandardCharsets.UTF_8);
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
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("sparsity: must be in [0, 1)")
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
