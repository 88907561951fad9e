package dev.whittle.engine.eval.metric;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a generated answer is scored against the gold answer and its aliases; each score is the best over the golds.
 * <ul>
 *   <li>{@link #exactMatch}: the normalised output equals a normalised gold (SQuAD's exact match);</li>
 *   <li>{@link #lenientMatch}: LLM-KICK's lenient match, a normalised gold occurs in the normalised output. It must
 *   occur as whole words, so the gold "rome" is not found in "romeo"; an empty normalised gold never matches;</li>
 *   <li>{@link #f1}: SQuAD's token F1 between the normalised outputs (1 when both are empty, 0 when one is).</li>
 * </ul>
 * Normalisation is {@link AnswerNormalizer}'s.
 */
public final class AnswerMatch {

    private AnswerMatch() {
    }

    public static boolean exactMatch(String output, List<String> golds) {
        String normalizedOutput = AnswerNormalizer.normalize(output);
        for (String gold : golds) {
            if (AnswerNormalizer.normalize(gold).equals(normalizedOutput)) {
                return true;
            }
        }
        return false;
    }

    public static boolean lenientMatch(String output, List<String> golds) {
        String paddedOutput = " " + AnswerNormalizer.normalize(output) + " ";
        for (String gold : golds) {
            String normalizedGold = AnswerNormalizer.normalize(gold);
            if (!normalizedGold.isEmpty() && paddedOutput.contains(" " + normalizedGold + " ")) {
                return true;
            }
        }
        return false;
    }

    public static double f1(String output, List<String> golds) {
        List<String> outputTokens = AnswerNormalizer.normalizedTokens(output);
        double best = 0;
        for (String gold : golds) {
            best = Math.max(best, tokenF1(outputTokens, AnswerNormalizer.normalizedTokens(gold)));
        }
        return best;
    }

    /** Harmonic mean of precision and recall of the shared tokens, counted with multiplicity. */
    static double tokenF1(List<String> output, List<String> gold) {
        if (output.isEmpty() || gold.isEmpty()) {
            return output.isEmpty() && gold.isEmpty() ? 1 : 0;
        }
        Map<String, Integer> goldCounts = new HashMap<>();
        for (String token : gold) {
            goldCounts.merge(token, 1, Integer::sum);
        }
        int shared = 0;
        for (String token : output) {
            Integer left = goldCounts.get(token);
            if (left != null && left > 0) {
                goldCounts.put(token, left - 1);
                shared++;
            }
        }
        if (shared == 0) {
            return 0;
        }
        double precision = (double) shared / output.size();
        double recall = (double) shared / gold.size();
        return 2 * precision * recall / (precision + recall);
    }
}
