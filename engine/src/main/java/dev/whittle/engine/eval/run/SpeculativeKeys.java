package dev.whittle.engine.eval.run;

import java.util.OptionalInt;

/**
 * The names under which a speculative task's result records its figures: the {@link Evaluator} writes them, reports
 * (the API's compare report) read them back from stored evaluations, so both sides spell them here.
 */
public final class SpeculativeKeys {

    /** The results group of the adaptive draft length (a bandit over stop rules, capped at the longest k). */
    public static final String ADAPTIVE_GROUP = "adaptive";
    /** Detail: the fixed draft length with the best speed-up, whose metrics are the task's headline metrics. */
    public static final String BEST_K = "best_k";
    /** Detail: the adaptive policy's mean number of proposals per round. */
    public static final String ADAPTIVE_MEAN_DRAFT_LENGTH = "adaptive_mean_draft_length";
    /** Detail prefix, followed by a stop rule's id: the rounds the bandit played that rule. */
    public static final String ADAPTIVE_ROUNDS = "adaptive_rounds_";
    /** Detail prefix, followed by a stop rule's id: that rule's mean reward. */
    public static final String ADAPTIVE_REWARD = "adaptive_reward_";

    private static final String DRAFT_LENGTH_GROUP = "k=";

    private SpeculativeKeys() {
    }

    /** The results group of fixed draft length {@code k}. */
    public static String draftLengthGroup(int k) {
        return DRAFT_LENGTH_GROUP + k;
    }

    /** The draft length a results group stands for, or empty for any other group. */
    public static OptionalInt draftLength(String group) {
        if (!group.startsWith(DRAFT_LENGTH_GROUP)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(group.substring(DRAFT_LENGTH_GROUP.length())));
        } catch (NumberFormatException notALength) {
            return OptionalInt.empty();
        }
    }
}
