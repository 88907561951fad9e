package dev.whittle.engine.generate;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.List;
import java.util.function.Consumer;

/**
 * Autoregressive generation with a KV cache: the prompt runs once (prefill), then each sampled token runs alone
 * against the cache. Text streams to a callback as soon as it is complete (whole UTF-8 characters) and cannot be
 * the start of a stop string; generation ends at an end-of-sequence token, a stop string (left out of the text)
 * or the token limit.
 */
public final class Generator {

    /** How to generate. {@code temperature} 0 is greedy; {@code topP} 1 samples from the whole distribution. */
    public record Settings(int maxTokens, float temperature, float topP, long seed, List<String> stopStrings) {
        public Settings {
            if (maxTokens < 0) {
                throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
            }
            Sampler.checkSettings(temperature, topP);
            stopStrings = List.copyOf(stopStrings);
        }

        public static Settings greedy(int maxTokens) {
            return new Settings(maxTokens, 0, 1, 0, List.of());
        }
    }

    public enum StopReason { MAX_TOKENS, END_OF_SEQUENCE, STOP_STRING }

    /**
     * @param tokens the generated ids (an end-of-sequence id not included); with a stop string, every token
     *               sampled up to the one that completed it
     * @param text   the generated text, cut before the stop string
     */
    public record Result(int[] tokens, String text, StopReason reason, int promptTokens, double prefillSeconds,
                         double decodeSeconds) {
    }

    private final Decoder decoder;
    private final Tokenizer tokenizer;

    public Generator(Decoder decoder, Tokenizer tokenizer) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    /** Encodes {@code prompt} with the special tokens the model expects (bos) and generates after it. */
    public Result generate(String prompt, Settings settings, Consumer<String> onText, Progress progress) {
        return generate(tokenizer.encode(prompt, true), settings, onText, progress);
    }

    public Result generate(int[] prompt, Settings settings, Consumer<String> onText, Progress progress) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty (no tokens to start from)");
        }
        Sampler sampler = new Sampler(settings.temperature(), settings.topP(), settings.seed());
        TextEmission emission = new TextEmission(tokenizer, settings, onText);
        KvCache cache = decoder.newCache(prompt.length + settings.maxTokens());
        ForwardState state = ForwardState.forInference();

        long start = System.nanoTime();
        float[] logits = emission.finished() ? null : next(prompt, cache, state);
        long prefillEnd = System.nanoTime();

        while (!emission.finished()) {
            progress.checkCancelled();
            int token = sampler.sample(logits);
            boolean goesOn = emission.accept(token);
            progress.report("generate", emission.count(), settings.maxTokens(), null);
            if (goesOn) {
                logits = next(new int[] {token}, cache, state);
            }
        }
        emission.finish();
        long end = System.nanoTime();
        return new Result(emission.tokens(), emission.text(), emission.reason(), prompt.length,
                (prefillEnd - start) / 1e9, (end - prefillEnd) / 1e9);
    }

    /** Runs {@code tokens} after what the cache holds and returns the logits of the last one. */
    private float[] next(int[] tokens, KvCache cache, ForwardState state) {
        return decoder.lastLogits(Batch.continuing(List.of(tokens), List.of(cache)), state).getFirst();
    }
}
