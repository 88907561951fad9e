package dev.whittle.engine.eval;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Log-likelihoods against log-softmax values taken, in double, from the logits of one full forward. */
class LogLikelihoodTest {

    private static final int VOCAB = 320;

    @TempDir
    static Path tmp;
    static Decoder decoder;

    @BeforeAll
    static void load() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN2, 5, TestModels.options());
        decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
    }

    @Test
    void theSumAndEachTokenAreLogSoftmaxValuesOfTheFullSequencesLogits() {
        int[] context = tokens(9, 1);
        int[] continuation = tokens(5, 2);

        LogLikelihood.Result result = new LogLikelihood(decoder)
                .score(List.of(new LogLikelihood.Request(context, continuation)), Progress.NONE).getFirst();

        double[] expected = expectedLogProbs(context, continuation);
        assertThat(result.tokenLogProbs()).hasSize(5);
        for (int j = 0; j < 5; j++) {
            assertThat(result.tokenLogProbs()[j]).isCloseTo(expected[j], within(1e-4));
        }
        assertThat(result.logLikelihood()).isCloseTo(Arrays.stream(expected).sum(), within(5e-4));
        assertThat(result.greedy()).isFalse();
    }

    @Test
    void aContinuationOfArgmaxTokensIsAGreedyMatch() {
        int[] context = tokens(6, 3);
        int[] continuation = greedyContinuation(context, 4);

        LogLikelihood.Result result = new LogLikelihood(decoder)
                .score(List.of(new LogLikelihood.Request(context, continuation)), Progress.NONE).getFirst();

        assertThat(result.greedy()).isTrue();
        // One token changed: no longer a greedy match.
        continuation[2] = (continuation[2] + 1) % VOCAB;
        assertThat(new LogLikelihood(decoder).score(List.of(new LogLikelihood.Request(context, continuation)),
                Progress.NONE).getFirst().greedy()).isFalse();
    }

    @Test
    void sharedContextsAndSmallBatchesGiveTheSameResultsAsScoringEachRequestAlone() {
        int[] question = tokens(12, 4);
        List<LogLikelihood.Request> requests = new ArrayList<>();
        for (int choice = 0; choice < 4; choice++) {
            requests.add(new LogLikelihood.Request(question, tokens(1 + choice, 10 + choice)));
        }
        requests.add(new LogLikelihood.Request(tokens(1, 20), tokens(3, 21)));
        requests.add(new LogLikelihood.Request(tokens(7, 22), tokens(2, 23)));
        requests.add(new LogLikelihood.Request(question, greedyContinuation(question, 3)));

        List<LogLikelihood.Result> results = new LogLikelihood(decoder, 8).score(requests, Progress.NONE);

        assertThat(results).hasSize(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            double[] expected = expectedLogProbs(requests.get(i).context(), requests.get(i).continuation());
            assertThat(results.get(i).logLikelihood()).isCloseTo(Arrays.stream(expected).sum(), within(5e-4));
        }
        assertThat(results.getLast().greedy()).isTrue();
    }

    @Test
    void aTextRequestSplitsTheEncodingOfTheWholeTextWhereTheContextEnds() throws IOException {
        Tokenizer tokenizer = Tokenizer.load(tmp.resolve("m"));

        LogLikelihood.Request request = LogLikelihood.Request.fromText(tokenizer, "the cat ", "sat down");

        assertThat(concat(request.context(), request.continuation())).containsExactly(tokenizer.encode("the cat sat down", true));
        assertThat(request.context()).containsExactly(tokenizer.encode("the cat", true));
    }

    /** log p(continuation_j | ...) from the logits of context + continuation, log-softmax in double. */
    static double[] expectedLogProbs(int[] context, int[] continuation) {
        int[] all = concat(context, continuation);
        float[] logits = decoder.logits(all);
        double[] out = new double[continuation.length];
        for (int j = 0; j < continuation.length; j++) {
            int row = context.length - 1 + j;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < VOCAB; v++) {
                max = Math.max(max, logits[row * VOCAB + v]);
            }
            double sum = 0;
            for (int v = 0; v < VOCAB; v++) {
                sum += Math.exp(logits[row * VOCAB + v] - max);
            }
            out[j] = logits[row * VOCAB + continuation[j]] - max - Math.log(sum);
        }
        return out;
    }

    /** The tokens greedy decoding picks after {@code context}, by recomputing the whole sequence each step. */
    static int[] greedyContinuation(int[] context, int count) {
        int[] sequence = context;
        for (int i = 0; i < count; i++) {
            float[] logits = decoder.logits(sequence);
            int best = 0;
            int row = (sequence.length - 1) * VOCAB;
            for (int v = 1; v < VOCAB; v++) {
                if (logits[row + v] > logits[row + best]) {
                    best = v;
                }
            }
            sequence = concat(sequence, new int[] {best});
        }
        return Arrays.copyOfRange(sequence, context.length, sequence.length);
    }

    static int[] tokens(int count, long seed) {
        return new Random(seed).ints(count, 0, VOCAB).toArray();
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
