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

    /** Each document's text, encoded once with bos, and the windows it is scored in. */
    record Plan(List<String> texts, List<int[]> ids, int[] windows) {
        int totalWindows() {
            return java.util.Arrays.stream(windows).sum();
        }
    }

    Plan plan(List<Doc> docs, String textField, int seqlen, int stride) {
        List<String> texts = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        int[] windows = new int[docs.size()];
        for (int d = 0; d < docs.size(); d++) {
            texts.add(docs.get(d).text(textField));
            ids.add(tokenizer.encode(texts.get(d), true));
            if (ids.get(d).length < 2) {
                throw new dev.whittle.engine.eval.data.DatasetException("document " + docs.get(d).id()
                        + ": the text encodes to fewer than 2 tokens, nothing to predict");
            }
            windows[d] = windows(ids.get(d).length, seqlen, stride);
        }
        return new Plan(texts, ids, windows);
    }

    /**
     * @param plan         {@link #plan}'s texts and windows
     * @param limitWindows at most this many windows over all documents (0: all)
     */
    Scored score(List<Doc> docs, Plan plan, int seqlen, int stride, int limitWindows, SampleProgress progress) {
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
            int running = remaining == 0 ? plan.windows()[d] : Math.min(plan.windows()[d], remaining);
            TextPerplexity measured = TextPerplexity.measure(decoder, tokenizer, plan.texts().get(d), plan.ids().get(d),
                    seqlen, stride, remaining, progress.within(running));
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
