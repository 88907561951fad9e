package dev.whittle.engine.generate;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratorTest {

    @TempDir
    static Path tmp;
    static Decoder decoder;
    static Tokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void load() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 12, TestModels.options());
        decoder = DecoderLoader.load(dir, Progress.NONE);
        tokenizer = Tokenizer.load(dir);
        generator = new Generator(decoder, tokenizer);
    }

    @Test
    void greedyGenerationWithTheCacheEqualsRecomputingTheWholePrefixEachStep() {
        int[] prompt = tokenizer.encode("the cat sat", true);

        Generator.Result result = generator.generate(prompt, Generator.Settings.greedy(16), s -> { }, Progress.NONE);

        int[] sequence = prompt;
        int[] expected = new int[0];
        for (int step = 0; step < 16; step++) {
            float[] logits = decoder.logits(sequence);
            int vocab = decoder.vocabSize();
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[(sequence.length - 1) * vocab + v] > logits[(sequence.length - 1) * vocab + best]) {
                    best = v;
                }
            }
            if (tokenizer.isEos(best)) {
                break;
            }
            expected = append(expected, best);
            sequence = append(sequence, best);
        }
        assertThat(expected).hasSizeGreaterThan(3);
        assertThat(result.tokens()).containsExactly(expected);
        assertThat(result.text()).isEqualTo(tokenizer.decode(expected, true));
    }

    @Test
    void streamedPiecesAddUpToTheGeneratedText() {
        StringBuilder streamed = new StringBuilder();

        Generator.Result result = generator.generate("hello", new Generator.Settings(24, 1.2f, 0.95f, 7, List.of()),
                streamed::append, Progress.NONE);

        assertThat(streamed.toString()).isEqualTo(result.text());
    }

    @Test
    void aStopStringEndsGenerationAndIsLeftOutOfTheText() {
        Generator.Settings free = new Generator.Settings(24, 1.0f, 1f, 3, List.of());
        String text = generator.generate("a b", free, s -> { }, Progress.NONE).text();
        assertThat(text.length()).isGreaterThan(6);
        String stop = text.substring(4, 6);
        StringBuilder streamed = new StringBuilder();

        Generator.Result stopped = generator.generate("a b", new Generator.Settings(24, 1.0f, 1f, 3, List.of(stop)),
                streamed::append, Progress.NONE);

        assertThat(stopped.reason()).isEqualTo(Generator.StopReason.STOP_STRING);
        assertThat(stopped.text()).isEqualTo(text.substring(0, text.indexOf(stop)));
        assertThat(streamed.toString()).isEqualTo(stopped.text());
    }

    @Test
    void theSameSeedGeneratesTheSameTokens() {
        Generator.Settings settings = new Generator.Settings(12, 0.9f, 0.9f, 99, List.of());

        assertThat(generator.generate("x", settings, s -> { }, Progress.NONE).tokens())
                .containsExactly(generator.generate("x", settings, s -> { }, Progress.NONE).tokens());
    }

    private static int[] append(int[] a, int value) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = value;
        return out;
    }
}
