package dev.whittle.engine.eval;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;

/**
 * Rolling-window perplexity of a long token stream. Windows of {@code seqlen} tokens start every {@code stride}
 * tokens; each scores the tokens no earlier window scored, predicting each from the tokens before it in the window.
 * With {@code stride == seqlen} this is the WikiText-2 protocol of the Wanda and SparseGPT papers: non-overlapping
 * windows, the first token of each only context, the tail that does not fill a window left out. A stream shorter
 * than one window is scored as one window.
 */
public final class Perplexity {

    /**
     * @param totalNll        sum of {@code -log p} over the predicted tokens, in nats
     * @param predictedTokens tokens scored
     * @param windows         windows run
     * @param coveredTokens   the windows cover tokens {@code [0, coveredTokens)} of the stream
     * @param windowNll       per window, the NLL of the tokens it scored (they sum to {@code totalNll}); windows are
     *                        the samples of a standard error
     * @param windowTokens    per window, the tokens it scored
     */
    public record Result(double totalNll, long predictedTokens, int windows, int coveredTokens, double[] windowNll,
                         int[] windowTokens) {

        /** {@code exp(totalNll / predictedTokens)}. */
        public double tokenPerplexity() {
            return Math.exp(meanNll());
        }

        /** Mean negative log-likelihood per predicted token, in nats. */
        public double meanNll() {
            return totalNll / predictedTokens;
        }
    }

    private Perplexity() {
    }

    /**
     * @param limitWindows run at most this many windows (0: all), for quick estimates
     */
    public static Result rolling(Decoder decoder, int[] tokens, int seqlen, int stride, int limitWindows,
                                 Progress progress) {
        if (seqlen < 2) {
            throw new IllegalArgumentException("seqlen must be at least 2, got " + seqlen);
        }
        if (stride < 1 || stride > seqlen) {
            throw new IllegalArgumentException("stride must be in [1, seqlen=" + seqlen + "], got " + stride);
        }
        if (tokens.length < 2) {
            throw new IllegalArgumentException("perplexity needs at least 2 tokens, got " + tokens.length);
        }
        int windowLength = Math.min(seqlen, tokens.length);
        int windows = (tokens.length - windowLength) / stride + 1;
        if (limitWindows > 0) {
            windows = Math.min(windows, limitWindows);
        }
        double[] windowNll = new double[windows];
        int[] windowTokens = new int[windows];
        long total = (long) windows * windowLength;
        Progress shared = Progress.synchronizedView(progress);
        AtomicInteger done = new AtomicInteger();
        ObjIntConsumer<ForwardScratch> window = (scratch, w) -> {
            shared.checkCancelled();
            int start = w * stride;
            int end = start + windowLength;
            decoder.forward(Batch.of(java.util.Arrays.copyOfRange(tokens, start, end)), scratch.state(), ForwardHooks.NONE);
            // Row r predicts window[r + 1]; score the tokens from max(start + 1, end of the previous window) to end.
            int firstTarget = w == 0 ? start + 1 : Math.max(start + 1, start - stride + windowLength);
            int count = end - firstTarget;
            double[] logProbs = new double[count];
            scratch.scorer().score(scratch.state(), firstTarget - 1 - start, count, tokens, firstTarget, logProbs, null, 0);
            for (double lp : logProbs) {
                windowNll[w] -= lp;
            }
            windowTokens[w] = count;
            shared.report("perplexity", (long) done.incrementAndGet() * windowLength, total, null);
        };
        // Windows are independent: a small model runs them side by side, each on one thread (same bits either way).
        ForwardScratch.run(decoder, windows, new ForwardScratch(decoder), window);
        double totalNll = 0;
        long predicted = 0;
        for (int w = 0; w < windows; w++) {
            totalNll += windowNll[w];
            predicted += windowTokens[w];
        }
        int scoredUntil = (windows - 1) * stride + windowLength;
        return new Result(totalNll, predicted, windows, scoredUntil, windowNll, windowTokens);
    }
}
