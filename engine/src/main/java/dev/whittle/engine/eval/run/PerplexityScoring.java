package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.Perplexity;
import dev.whittle.engine.eval.TextPerplexity;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.PerplexityEstimate;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolling-window perplexity of each document's text ({@link TextPerplexity}: encoded once with bos, windows of
 * {@code seqlen} every {@code stride} tokens). The windows of all documents are the samples; token perplexity, word
 * perplexity and bits per byte pool their NLL, with {@link PerplexityEstimate}'s standard errors.
 */
final class PerplexityScoring {

    /** What the windows gave: a record per window and the pooled estimate. */
    record Scored(List<SampleRecord> records, PerplexityEstimate estimate) {
    }

    private final Decoder decoder;
    private final Tokenizer tokenizer;

    PerplexityScoring(Decoder decoder, Tokenizer tokenizer) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    /** Windows a text of {@code tokens} tokens is scored in, as {@link Perplexity#rolling} runs them. */
    static int windows(int tokens, int seqlen, int stride) {
        int windowLength = Math.min(seqlen, tokens);
        return (tokens - windowLength) / stride + 1;
    }

    /** The windows each document's text is scored in (encoding each once). */
    int[] plan(List<Doc> docs, String textField, int seqlen, int stride) {
        int[] planned = new int[docs.size()];
        for (int d = 0; d < docs.size(); d++) {
            planned[d] = windows(tokenizer.encode(docs.get(d).text(textField), true).length, seqlen, stride);
        }
        return planned;
    }

    /**
     * @param planned      {@link #plan}'s windows per document
     * @param limitWindows at most this many windows over all documents (0: all)
     */
    Scored score(List<Doc> docs, int[] planned, String textField, int seqlen, int stride, int limitWindows,
                 SampleProgress progress) {
        List<SampleRecord> records = new ArrayList<>();
        List<Double> nll = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        long words = 0;
        long bytes = 0;
        for (int d = 0; d < docs.size(); d++) {
            Doc doc = docs.get(d);
            int remaining = limitWindows == 0 ? 0 : limitWindows - records.size();
            if (limitWindows > 0 && remaining <= 0) {
                break;
            }
            progress.checkCancelled();
            String text = doc.text(textField);
            int running = remaining == 0 ? planned[d] : Math.min(planned[d], remaining);
            TextPerplexity measured = TextPerplexity.measure(decoder, tokenizer, text, seqlen, stride, remaining,
                    progress.within(running));
            Perplexity.Result result = measured.tokens();
            for (int w = 0; w < result.windows(); w++) {
                double windowNll = result.windowNll()[w];
                int windowTokens = result.windowTokens()[w];
                Map<String, Double> scores = new LinkedHashMap<>();
                scores.put("nll", windowNll);
                scores.put("tokens", (double) windowTokens);
                scores.put("token_perplexity", Math.exp(windowNll / windowTokens));
                records.add(new SampleRecord(records.size(), doc.id() + "#" + w, null, null, null, null, null, null,
                        null, null, null, scores));
                nll.add(windowNll);
                tokens.add((long) windowTokens);
            }
            words += measured.words();
            bytes += measured.bytes();
            progress.advance(result.windows());
        }
        PerplexityEstimate estimate = PerplexityEstimate.of(nll.stream().mapToDouble(Double::doubleValue).toArray(),
                tokens.stream().mapToLong(Long::longValue).toArray(), words, bytes);
        return new Scored(records, estimate);
    }
}
