package dev.whittle.engine.prune;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalibrationSamplerTest {

    @TempDir
    static Path dir;
    static Tokenizer tokenizer;

    @BeforeAll
    static void tokenizer() throws IOException {
        Files.createDirectories(dir.resolve("tok"));
        TestTokenizers.write(dir.resolve("tok"), 400, true);
        tokenizer = Tokenizer.load(dir.resolve("tok"));
    }

    private static CalibrationWindows sample(CalibrationSource source, int samples, int length, long seed, int context)
            throws IOException {
        return new CalibrationSampler().sample(tokenizer, source, new Calibration("test", null, null, samples, length, seed),
                context);
    }

    private static boolean occursIn(int[] window, int[] stream) {
        for (int start = 0; start + window.length <= stream.length; start++) {
            if (Arrays.equals(stream, start, start + window.length, window, 0, window.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void windowsAreRandomSlicesOfTheTokenisedTextAndTheSeedFixesThem() throws IOException {
        Path text = PruneFixtures.calibrationText(dir);
        int[] stream = tokenizer.encode(Files.readString(text), true);
        CalibrationWindows windows = sample(new CalibrationSource.TextFile(text), 10, 25, 7, 512);
        assertThat(windows.samples()).isEqualTo(10);
        assertThat(windows.length()).isEqualTo(25);
        assertThat(windows.sampling()).isEqualTo("stream");
        for (int[] w : windows.windows()) {
            assertThat(occursIn(w, stream)).isTrue();
        }
        assertThat(sample(new CalibrationSource.TextFile(text), 10, 25, 7, 512).fingerprint())
                .isEqualTo(windows.fingerprint());
        assertThat(sample(new CalibrationSource.TextFile(text), 10, 25, 8, 512).fingerprint())
                .isNotEqualTo(windows.fingerprint());
    }

    @Test
    void theWindowIsClippedToTheModelsContext() throws IOException {
        CalibrationWindows windows = sample(new CalibrationSource.TextFile(PruneFixtures.calibrationText(dir)), 2, 2048, 0, 30);
        assertThat(windows.length()).isEqualTo(30);
        ModelConfig mistral = ModelConfig.of(TestModels.configJson(Family.MISTRAL, TestModels.options()
                .config("sliding_window", 64)));
        assertThat(CalibrationSampler.context(mistral)).isEqualTo(64);
        assertThat(CalibrationSampler.context(ModelConfig.of(TestModels.configJson(Family.LLAMA, TestModels.options()))))
                .isEqualTo(512);
    }

    @Test
    void jsonLinesDrawFromDocumentsLongerThanTheWindow() throws IOException {
        String longDoc = TestTokenizers.TRAINING_TEXT;
        Path file = dir.resolve("docs.jsonl");
        Files.write(file, List.of("{\"text\": \"short\"}", "", "{\"text\": " + quote(longDoc) + ", \"id\": 3}",
                "{\"text\": \"also short\"}"));
        CalibrationWindows windows = sample(new CalibrationSource.JsonLines(file, null), 5, 20, 1, 512);
        assertThat(windows.sampling()).isEqualTo("documents");
        int[] encoded = tokenizer.encode(longDoc, true);
        for (int[] w : windows.windows()) {
            assertThat(occursIn(w, encoded)).isTrue();
        }
    }

    @Test
    void documentsAllShorterThanTheWindowAreJoinedIntoAStream() throws IOException {
        Path file = dir.resolve("sentences.jsonl");
        List<String> sentences = Arrays.asList(TestTokenizers.TRAINING_TEXT.split("\\. "));
        int longest = sentences.stream().mapToInt(s -> tokenizer.encode(s, true).length).max().orElseThrow();
        Files.write(file, java.util.Collections.nCopies(4, sentences).stream().flatMap(List::stream)
                .map(s -> "{\"content\": " + quote(s) + "}").toList());
        CalibrationWindows windows = sample(new CalibrationSource.JsonLines(file, "content"), 4, longest, 1, 512);
        assertThat(windows.sampling()).isEqualTo("stream");
        assertThat(windows.length()).isEqualTo(longest);
    }

    @Test
    void badCalibrationDataIsReportedWithWhereItIsWrong() throws IOException {
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "The fox.");
        assertThatThrownBy(() -> sample(new CalibrationSource.TextFile(tiny), 2, 64, 0, 512))
                .isInstanceOf(PruneProblemException.class).hasMessageContaining("calibration.source")
                .hasMessageContaining("not more than the window of 64");
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, List.of("{\"text\": \"fine\"}", "{\"body\": \"no text\"}"));
        assertThatThrownBy(() -> sample(new CalibrationSource.JsonLines(bad, null), 2, 8, 0, 512))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2").hasMessageContaining("'text'");
        assertThatThrownBy(() -> sample(new CalibrationSource.TextFile(dir.resolve("missing.txt")), 2, 8, 0, 512))
                .isInstanceOf(IOException.class).hasMessageContaining("missing.txt");
        assertThatThrownBy(() -> sample(new CalibrationSource.BuiltIn("c4"), 2, 8, 0, 512))
                .isInstanceOf(PruneProblemException.class).hasMessageContaining("(known: natural-english)");
    }

    @Test
    void theDefaultSetIsTheShippedNaturalEnglishTextReadAsOneStream() throws IOException {
        String text = new NaturalEnglish().text(0);
        int[] stream = tokenizer.encode(text, true);
        CalibrationWindows windows = sample(new CalibrationSource.BuiltIn(CalibrationSampler.NATURAL_ENGLISH), 4, 64, 3, 512);

        assertThat(text.length()).isBetween(1_000_000, 2_000_000);
        assertThat(windows.source()).isEqualTo("built-in natural-english");
        assertThat(windows.sampling()).isEqualTo("stream");
        for (int[] w : windows.windows()) {
            assertThat(occursIn(w, stream)).isTrue();
        }
    }

    @Test
    void aSamplerServesTheSetsItsCallerAddsByNameBesideTheEnginesOwn() throws IOException {
        CalibrationSet numbers = new CalibrationSet() {
            @Override
            public String name() {
                return "numbers";
            }

            @Override
            public String text(long chars) {
                return "one two three four five six seven eight nine ten ".repeat(20);
            }
        };
        CalibrationSampler sampler = new CalibrationSampler(List.of(numbers));
        CalibrationWindows windows = sampler.sample(tokenizer, new CalibrationSource.BuiltIn("numbers"),
                new Calibration("test", null, null, 2, 16, 0L), 512);

        assertThat(sampler.builtInNames()).containsExactly("natural-english", "numbers");
        int[] stream = tokenizer.encode(numbers.text(0), true);
        assertThat(windows.windows()).allSatisfy(w -> assertThat(occursIn(w, stream)).isTrue());
        assertThatThrownBy(() -> new CalibrationSampler(List.of(numbers, numbers)))
                .hasMessageContaining("two built-in calibration sets named 'numbers'");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
