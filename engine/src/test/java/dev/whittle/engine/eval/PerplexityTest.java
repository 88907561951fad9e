package dev.whittle.engine.eval;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Rolling perplexity against NLL summed, in double, from the logits of each window computed directly. */
class PerplexityTest {

    private static final int VOCAB = 320;

    @TempDir
    static Path tmp;
    static Decoder decoder;
    static int[] text;

    @BeforeAll
    static void load() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.LLAMA, 8, TestModels.options());
        decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
        text = new Random(1).ints(100, 0, VOCAB).toArray();
    }

    @Test
    void nonOverlappingWindowsScoreAllButTheFirstTokenOfEachFullWindow() {
        Perplexity.Result result = Perplexity.rolling(decoder, text, 32, 32, 0, Progress.NONE);

        double expected = windowNll(0, 32, 1) + windowNll(32, 64, 33) + windowNll(64, 96, 65);
        assertThat(result.windows()).isEqualTo(3);
        assertThat(result.coveredTokens()).isEqualTo(96);
        assertThat(result.predictedTokens()).isEqualTo(93);
        assertThat(result.totalNll()).isCloseTo(expected, within(1e-6 * 93 * 10));
        assertThat(result.tokenPerplexity()).isCloseTo(Math.exp(expected / 93), within(1e-4 * Math.exp(expected / 93)));
    }

    @Test
    void aStrideShorterThanTheWindowScoresEachTokenOnceWithTheLongestContextAvailable() {
        Perplexity.Result result = Perplexity.rolling(decoder, text, 32, 16, 0, Progress.NONE);

        // Windows start at 0, 16, 32, 48, 64; each scores the 16 tokens no earlier window reached.
        double expected = windowNll(0, 32, 1);
        for (int start = 16; start <= 64; start += 16) {
            expected += windowNll(start, start + 32, start + 16);
        }
        assertThat(result.windows()).isEqualTo(5);
        assertThat(result.predictedTokens()).isEqualTo(95);
        assertThat(result.totalNll()).isCloseTo(expected, within(1e-5 * 95 * 10));
    }

    @Test
    void aTextShorterThanOneWindowIsOneWindowAndALimitStopsEarly() {
        int[] shortText = Arrays.copyOf(text, 20);
        assertThat(Perplexity.rolling(decoder, shortText, 32, 32, 0, Progress.NONE).predictedTokens()).isEqualTo(19);
        assertThat(Perplexity.rolling(decoder, text, 32, 32, 2, Progress.NONE).windows()).isEqualTo(2);
    }

    @Test
    void aStrideLongerThanTheWindowIsRefused() {
        assertThatThrownBy(() -> Perplexity.rolling(decoder, text, 32, 33, 0, Progress.NONE))
                .hasMessageContaining("stride");
    }

    /** -sum log p(text[p] | text[start..p)) for p in [firstTarget, end), from the window's own logits. */
    private static double windowNll(int start, int end, int firstTarget) {
        float[] logits = decoder.logits(Arrays.copyOfRange(text, start, end));
        double nll = 0;
        for (int p = firstTarget; p < end; p++) {
            int row = (p - 1 - start) * VOCAB;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < VOCAB; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < VOCAB; v++) {
                sum += Math.exp(logits[row + v] - max);
            }
            nll -= logits[row + text[p]] - max - Math.log(sum);
        }
        return nll;
    }
}
