package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Continuing from a cache gives the logits of recomputing the whole prefix. */
class KvCacheTest {

    @TempDir
    Path tmp;

    private Decoder load(Family family) throws IOException {
        TestModels.write(tmp.resolve("m"), family, 21, TestModels.options());
        return DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
    }

    @Test
    void tokenByTokenWithACacheEqualsRecomputingThePrefix() throws IOException {
        Decoder decoder = load(Family.QWEN3);
        int[] tokens = DecoderForwardTest.randomTokens(20, 320, 4);
        float[] full = decoder.logits(tokens);
        KvCache cache = decoder.newCache(2);
        ForwardState state = ForwardState.forInference();

        for (int t = 0; t < tokens.length; t++) {
            float[] step = decoder.lastLogits(Batch.continuing(List.of(new int[] {tokens[t]}), List.of(cache)), state)
                    .getFirst();
            assertThat(Logits.relativeError(step, Arrays.copyOfRange(full, t * 320, (t + 1) * 320))).isLessThan(1e-5);
        }
        assertThat(cache.length()).isEqualTo(tokens.length);
    }

    @Test
    void chunksOfUnevenSizeAndATruncatedCacheReproduceTheFullForward() throws IOException {
        Decoder decoder = load(Family.LLAMA);
        int[] tokens = DecoderForwardTest.randomTokens(31, 320, 8);
        float[] full = decoder.logits(tokens);
        KvCache cache = decoder.newCache(1);
        ForwardState state = ForwardState.forInference();
        decoder.forward(Batch.continuing(List.of(Arrays.copyOfRange(tokens, 0, 13)), List.of(cache)), state, ForwardHooks.NONE);
        decoder.forward(Batch.continuing(List.of(new int[] {7, 7, 7}), List.of(cache)), state, ForwardHooks.NONE);
        cache.truncate(13);

        decoder.forward(Batch.continuing(List.of(Arrays.copyOfRange(tokens, 13, 31)), List.of(cache)), state, ForwardHooks.NONE);
        float[] tail = new float[18 * 320];
        decoder.logits(state, 0, 18, tail, 0, ForwardHooks.NONE);

        assertThat(Logits.relativeError(tail, Arrays.copyOfRange(full, 13 * 320, 31 * 320))).isLessThan(1e-5);
    }

    @Test
    void aCacheGrownAndCopiedPastSeveralValueBlocksReproducesTheFullForward() throws IOException {
        Decoder decoder = load(Family.LLAMA);
        int[] tokens = DecoderForwardTest.randomTokens(280, 320, 9);
        float[] full = decoder.logits(tokens);
        KvCache cache = decoder.newCache(1);
        ForwardState state = ForwardState.forInference();
        // 140 rows end inside the second value block; the first chunk grows the cache, the last its copy.
        decoder.forward(Batch.continuing(List.of(Arrays.copyOf(tokens, 140)), List.of(cache)), state, ForwardHooks.NONE);
        for (int t = 140; t < 145; t++) {
            decoder.forward(Batch.continuing(List.of(new int[] {tokens[t]}), List.of(cache)), state, ForwardHooks.NONE);
        }
        KvCache copy = cache.copy(0);

        decoder.forward(Batch.continuing(List.of(Arrays.copyOfRange(tokens, 145, 280)), List.of(copy)), state,
                ForwardHooks.NONE);
        float[] tail = new float[135 * 320];
        decoder.logits(state, 0, 135, tail, 0, ForwardHooks.NONE);
        float[] step = decoder.lastLogits(Batch.continuing(List.of(new int[] {tokens[145]}), List.of(cache)), state)
                .getFirst();

        assertThat(Logits.relativeError(tail, Arrays.copyOfRange(full, 145 * 320, 280 * 320))).isLessThan(1e-5);
        assertThat(Logits.relativeError(step, Arrays.copyOfRange(full, 145 * 320, 146 * 320))).isLessThan(1e-5);
    }

    @Test
    void sequencesWithCachesAtDifferentPositionsRunTogether() throws IOException {
        Decoder decoder = load(Family.MISTRAL);
        int[] a = DecoderForwardTest.randomTokens(10, 320, 1);
        int[] b = DecoderForwardTest.randomTokens(6, 320, 2);
        ForwardState state = ForwardState.forInference();
        KvCache cacheA = decoder.newCache(16);
        decoder.forward(Batch.continuing(List.of(Arrays.copyOf(a, 7)), List.of(cacheA)), state, ForwardHooks.NONE);
        KvCache copyOfA = cacheA.copy(0);

        List<float[]> last = decoder.lastLogits(Batch.continuing(
                List.of(Arrays.copyOfRange(a, 7, 10), b, Arrays.copyOfRange(a, 7, 9)),
                Arrays.asList(cacheA, null, copyOfA)), state);

        List<float[]> expected = new ArrayList<>();
        for (int[] whole : List.of(a, b, Arrays.copyOf(a, 9))) {
            float[] logits = decoder.logits(whole);
            expected.add(Arrays.copyOfRange(logits, (whole.length - 1) * 320, whole.length * 320));
        }
        for (int s = 0; s < 3; s++) {
            assertThat(Logits.relativeError(last.get(s), expected.get(s))).isLessThan(1e-5);
        }
        assertThat(cacheA.length()).isEqualTo(10);
        assertThat(copyOfA.length()).isEqualTo(9);
    }
}
