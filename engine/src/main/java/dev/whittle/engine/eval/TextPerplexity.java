package dev.whittle.engine.eval;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Rolling perplexity of a text, with what the tokenizer-independent measures need: the words and UTF-8 bytes of the
 * text the windows covered, so word perplexity {@code exp(NLL / words)} and bits per byte
 * {@code NLL / (bytes ln 2)} compare models with different tokenizers (as lm-evaluation-harness reports them).
 *
 * @param words whitespace-separated words of the covered text
 * @param bytes UTF-8 bytes of the covered text
 */
public record TextPerplexity(Perplexity.Result tokens, long words, long bytes) {

    /**
     * Tokenizes {@code text} as one document (bos in front when the model expects it, as the Wanda/SparseGPT
     * evaluation does) and scores it with {@link Perplexity#rolling}.
     */
    public static TextPerplexity measure(Decoder decoder, Tokenizer tokenizer, String text, int seqlen, int stride,
                                         int limitWindows, Progress progress) {
        return measure(decoder, tokenizer, text, tokenizer.encode(text, true), seqlen, stride, limitWindows, progress);
    }

    /** As {@link #measure(Decoder, Tokenizer, String, int, int, int, Progress)}, with {@code ids} the text encoded already. */
    public static TextPerplexity measure(Decoder decoder, Tokenizer tokenizer, String text, int[] ids, int seqlen,
                                         int stride, int limitWindows, Progress progress) {
        Perplexity.Result result = Perplexity.rolling(decoder, ids, seqlen, stride, limitWindows, progress);
        String covered = result.coveredTokens() == ids.length
                ? text : tokenizer.decode(java.util.Arrays.copyOf(ids, result.coveredTokens()), true);
        return new TextPerplexity(result, countWords(covered), covered.getBytes(StandardCharsets.UTF_8).length);
    }

    public double tokenPerplexity() {
        return tokens.tokenPerplexity();
    }

    public double wordPerplexity() {
        return Math.exp(tokens.totalNll() / words);
    }

    public double bitsPerByte() {
        return tokens.totalNll() / (bytes * Math.log(2));
    }

    static long countWords(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
