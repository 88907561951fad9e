package dev.whittle.engine.eval.metric;

/**
 * Token perplexity, word perplexity and bits per byte of rolling-window scoring, with standard errors.
 * <p>
 * The windows are the samples. The mean NLL per token is the ratio {@code R = sum nll_i / sum tokens_i}; its standard
 * error is the ratio estimator's, {@code sqrt(sum (nll_i - R tokens_i)^2 / (n (n - 1))) / mean(tokens_i)} (with
 * windows of equal length: the standard error of the per-window mean NLL). The reported errors follow by the delta
 * method, taking the text's tokens per word and per byte as fixed: {@code se(exp R) = exp(R) se(R)},
 * {@code se(word ppl) = word ppl * (T / W) se(R)}, {@code se(bpb) = T / (B ln 2) se(R)}. Neighbouring windows of
 * one text are not truly independent, so these are indications of sampling noise, not exact intervals.
 */
public record PerplexityEstimate(MetricValue tokenPerplexity, MetricValue wordPerplexity, MetricValue bitsPerByte,
                                 double totalNll, long tokens, long words, long bytes) {

    /**
     * @param windowNll    NLL (nats) of the tokens each window scored
     * @param windowTokens tokens each window scored
     * @param words        whitespace-separated words of the text the windows covered
     * @param bytes        UTF-8 bytes of that text
     */
    public static PerplexityEstimate of(double[] windowNll, long[] windowTokens, long words, long bytes) {
        int n = windowNll.length;
        if (n == 0 || windowTokens.length != n) {
            throw new IllegalArgumentException("need one token count per window and at least one window, got "
                    + n + " NLL values and " + windowTokens.length + " counts");
        }
        if (words <= 0 || bytes <= 0) {
            throw new IllegalArgumentException("the scored text has no words or no bytes");
        }
        double nll = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            nll += windowNll[i];
            tokens += windowTokens[i];
        }
        double ratio = nll / tokens;
        Double ratioError = null;
        if (n > 1) {
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double residual = windowNll[i] - ratio * windowTokens[i];
                squares += residual * residual;
            }
            ratioError = Math.sqrt(squares / ((double) n * (n - 1))) / ((double) tokens / n);
        }
        double tokenPerplexity = Math.exp(ratio);
        double tokensPerWord = (double) tokens / words;
        double wordPerplexity = Math.exp(ratio * tokensPerWord);
        double tokensPerBit = tokens / (bytes * Math.log(2));
        return new PerplexityEstimate(
                new MetricValue(tokenPerplexity, ratioError == null ? null : tokenPerplexity * ratioError),
                new MetricValue(wordPerplexity, ratioError == null ? null : wordPerplexity * tokensPerWord * ratioError),
                new MetricValue(ratio * tokensPerBit, ratioError == null ? null : tokensPerBit * ratioError),
                nll, tokens, words, bytes);
    }

    public MetricValue value(Metric metric) {
        return switch (metric) {
            case TOKEN_PERPLEXITY -> tokenPerplexity;
            case WORD_PERPLEXITY -> wordPerplexity;
            case BITS_PER_BYTE -> bitsPerByte;
            default -> throw new IllegalArgumentException(metric.id() + " is not a perplexity metric");
        };
    }
}
