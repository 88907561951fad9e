package dev.whittle.engine.generate;

import dev.whittle.engine.tokenizer.StreamingDecoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The text side of generation, shared by plain and speculative decoding: chosen tokens go in one at a time; it
 * decides when generation ends (an end-of-sequence token, a stop string, the token limit), keeps the text cut
 * before the stop string, and streams what can no longer turn into a stop string.
 */
final class TextEmission {

    private final Tokenizer tokenizer;
    private final StopStrings stops;
    private final int longestStop;
    private final StreamingDecoder stream;
    private final Consumer<String> onText;
    private final int[] generated;
    private final StringBuilder text = new StringBuilder();
    private int count;
    private int shown;
    private Generator.StopReason reason;

    TextEmission(Tokenizer tokenizer, Generator.Settings settings, Consumer<String> onText) {
        this.tokenizer = tokenizer;
        this.stops = new StopStrings(settings.stopStrings());
        this.longestStop = settings.stopStrings().stream().mapToInt(String::length).max().orElse(0);
        this.stream = tokenizer.streamingDecoder(true);
        this.onText = onText;
        this.generated = new int[settings.maxTokens()];
        if (settings.maxTokens() == 0) {
            reason = Generator.StopReason.MAX_TOKENS;
        }
    }

    /** Whether generation has ended; once it has, {@link #accept} must not be called. */
    boolean finished() {
        return reason != null;
    }

    int count() {
        return count;
    }

    int maxTokens() {
        return generated.length;
    }

    /** Takes the next chosen token; returns whether generation goes on after it. */
    boolean accept(int token) {
        if (tokenizer.isEos(token)) {
            reason = Generator.StopReason.END_OF_SEQUENCE;
            return false;
        }
        generated[count++] = token;
        int before = text.length();
        text.append(stream.push(token));
        int stop = stops.firstMatch(text.toString(), before - longestStop + 1);
        if (stop >= 0) {
            text.setLength(stop);
            reason = Generator.StopReason.STOP_STRING;
            return false;
        }
        shown = show(stops.safeLength(text.toString()));
        if (count == generated.length) {
            reason = Generator.StopReason.MAX_TOKENS;
            return false;
        }
        return true;
    }

    /** Flushes the decoder's held bytes (a stop string may still complete in them) and shows the rest. */
    void finish() {
        if (reason != Generator.StopReason.STOP_STRING) {
            int before = text.length();
            text.append(stream.finish());
            int stop = stops.firstMatch(text.toString(), before - longestStop + 1);
            if (stop >= 0) {
                text.setLength(stop);
                reason = Generator.StopReason.STOP_STRING;
            }
        }
        show(text.length());
    }

    int[] tokens() {
        return Arrays.copyOf(generated, count);
    }

    String text() {
        return text.toString();
    }

    Generator.StopReason reason() {
        return reason == null ? Generator.StopReason.MAX_TOKENS : reason;
    }

    /** Passes {@code text[shown, upTo)} to the callback if non-empty; returns the new shown length. */
    private int show(int upTo) {
        if (upTo > shown) {
            onText.accept(text.substring(shown, upTo));
            return upTo;
        }
        return shown;
    }
}
