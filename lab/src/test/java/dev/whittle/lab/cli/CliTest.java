package dev.whittle.lab.cli;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the CLI tests share: a small Llama folder and a calibration text file written once per test class, and a
 * {@link Main} whose output is kept.
 */
abstract class CliTest {

    @TempDir
    static Path tmp;
    static Path model;
    /** A plain-text file of the test tokenizer's training text, for calibration. */
    static Path text;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void writeModel() throws IOException {
        model = tmp.resolve("model");
        TestModels.write(model, Family.LLAMA, 3, TestModels.options());
        text = tmp.resolve("text.txt");
        Files.writeString(text, TestTokenizers.TRAINING_TEXT.repeat(4));
    }

    /** Runs the CLI in this process; returns its exit code. */
    int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    /** What the runs so far printed to standard output. */
    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What the runs so far printed to standard error. */
    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
