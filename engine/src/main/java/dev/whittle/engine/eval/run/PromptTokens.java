package dev.whittle.engine.eval.run;

import java.util.Arrays;

/**
 * Fitting prompts into the model's positions: a prompt that would not fit with what follows it loses tokens at the
 * front (as lm-evaluation-harness does), so the text next to the answer is kept.
 */
final class PromptTokens {

    private PromptTokens() {
    }

    /**
     * The last {@code maxPositions - following} tokens of {@code prompt} (all of them if they fit).
     *
     * @param following tokens that come after the prompt (the longest choice, or the tokens to generate)
     */
    static int[] fit(int[] prompt, int following, int maxPositions, String docId) {
        int room = maxPositions - following;
        if (room < 1) {
            throw new IllegalArgumentException("document " + docId + ": " + following
                    + " tokens after the prompt leave no room in the model's " + maxPositions + " positions");
        }
        return prompt.length <= room ? prompt : Arrays.copyOfRange(prompt, prompt.length - room, prompt.length);
    }
}
