package dev.whittle.engine.eval.metric;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The metrics a task can report, each tied to the kind of request that produces it, and whether a higher value is
 * better (which decides how retention is formed).
 */
public enum Metric {
    /** Multiple choice: the choice with the highest log-likelihood is the gold one. */
    ACC(Kind.CHOICE, true),
    /** Multiple choice: the choice with the highest log-likelihood per UTF-8 byte of its text is the gold one. */
    ACC_NORM(Kind.CHOICE, true),
    /** Generation: the normalised output equals a normalised gold answer. */
    EXACT_MATCH(Kind.GENERATION, true),
    /** Generation: a normalised gold answer occurs (as whole words) in the normalised output (LLM-KICK). */
    LENIENT_MATCH(Kind.GENERATION, true),
    /** Generation: SQuAD token F1 against the best gold answer. */
    F1(Kind.GENERATION, true),
    /** Rolling perplexity: {@code exp(NLL / predicted tokens)}. */
    TOKEN_PERPLEXITY(Kind.PERPLEXITY, false),
    /** Rolling perplexity: {@code exp(NLL / words)}, comparable across tokenizers. */
    WORD_PERPLEXITY(Kind.PERPLEXITY, false),
    /** Rolling perplexity: {@code NLL / (bytes ln 2)}, comparable across tokenizers. */
    BITS_PER_BYTE(Kind.PERPLEXITY, false),
    /** Speculative decoding: tokens gained per target forward, the draft's accepted tokens plus the target's own. */
    MEAN_ACCEPTED_LENGTH(Kind.SPECULATIVE, true),
    /** Speculative decoding: the share of the draft's proposed tokens the target accepted. */
    ACCEPTANCE_RATE(Kind.SPECULATIVE, true),
    /** Speculative decoding: the target's greedy generation time alone over its time with the draft. */
    SPEEDUP(Kind.SPECULATIVE, true);

    /**
     * What produces a metric: scored choices, generated answers, rolling perplexity windows, or the model drafting
     * for a target in speculative decoding.
     */
    public enum Kind { CHOICE, GENERATION, PERPLEXITY, SPECULATIVE }

    private final Kind kind;
    private final boolean higherIsBetter;

    Metric(Kind kind, boolean higherIsBetter) {
        this.kind = kind;
        this.higherIsBetter = higherIsBetter;
    }

    /** The name used in task definitions and results ({@code acc_norm}, {@code token_perplexity}, ...). */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Kind kind() {
        return kind;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public static Optional<Metric> byId(String id) {
        return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
    }

    /** The metrics of a kind, in declaration order. */
    public static List<Metric> of(Kind kind) {
        return Arrays.stream(values()).filter(m -> m.kind == kind).toList();
    }
}
