package dev.whittle.engine.generate;

import dev.whittle.engine.tensor.Ops;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: the argmax when the temperature is 0, otherwise a draw from
 * {@code softmax(logits / temperature)} restricted to the smallest set of most likely tokens whose probability
 * reaches {@code topP} (nucleus sampling). A fixed seed gives the same draws every run.
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, float topP, long seed) {
        checkSettings(temperature, topP);
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** Refuses a temperature below 0 (or not finite) and a top-p outside (0, 1]. */
    public static void checkSettings(float temperature, float topP) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
    }

    public static Sampler greedy() {
        return new Sampler(0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The next token; {@code logits} (length vocab) is left unchanged. */
    public int sample(float[] logits) {
        if (isGreedy()) {
            return Ops.argmax(logits, 0, logits.length);
        }
        int vocab = logits.length;
        float[] probabilities = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            probabilities[i] = logits[i] / temperature;
        }
        Ops.softmax(probabilities, 0, vocab);
        if (topP >= 1) {
            return draw(probabilities, null, vocab, 1.0);
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        double mass = 0;
        int kept = 0;
        while (kept < vocab && (kept == 0 || mass < topP)) {
            mass += probabilities[order[kept]];
            kept++;
        }
        return draw(probabilities, order, kept, mass);
    }

    /** A draw among the first {@code count} candidates (in {@code order}, or index order), weights summing to {@code mass}. */
    private int draw(float[] probabilities, Integer[] order, int count, double mass) {
        double u = random.nextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            int token = order == null ? i : order[i];
            cumulative += probabilities[token];
            if (u < cumulative) {
                return token;
            }
        }
        // Rounding left u at the very top: the last candidate with any weight.
        for (int i = count - 1; i >= 0; i--) {
            int token = order == null ? i : order[i];
            if (probabilities[token] > 0) {
                return token;
            }
        }
        return order == null ? 0 : order[0];
    }
}
