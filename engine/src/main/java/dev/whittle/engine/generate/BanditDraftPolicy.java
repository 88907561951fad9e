package dev.whittle.engine.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A dynamic draft length in the manner of TapOut (Sridhar et al., 2025): a UCB1 bandit chooses, for each round, one
 * of several stop rules that need no tuned threshold, and learns online which suits this draft and target. Each
 * round's reward, in [0, 1], blends the acceptance rate with the accepted length, so that neither stopping at once
 * nor drafting past what is accepted pays:
 * <pre>
 *   reward = ½ · accepted / proposed + ½ · (accepted + 1) / (maxLength + 1)
 * </pre>
 * UCB1 plays every arm once, then the arm with the highest {@code mean + sqrt(2 ln n / n_arm)}, the first on ties,
 * so a run is deterministic.
 */
public final class BanditDraftPolicy implements DraftPolicy {

    /** The stop rules the bandit chooses among. */
    public enum Arm {
        /** Never stops early: the static draft length {@code maxLength}. */
        MAX_LENGTH(step -> false),
        /** Stops when the draft gives its own token less than even odds. */
        CONFIDENCE(step -> step.top1() < 0.5),
        /** Stops when the runner-up has more than half the proposed token's probability. */
        MARGIN(step -> step.top1() < 2 * step.top2()),
        /** Stops when the draft is more uncertain than a fair coin (entropy above one bit). */
        ENTROPY(step -> step.entropy() > Math.log(2)),
        /** Stops when the draft's estimate that the whole round survives falls below even odds. */
        CUMULATIVE(step -> step.cumulative() < 0.5);

        private final StopRule rule;

        Arm(StopRule rule) {
            this.rule = rule;
        }

        public StopRule rule() {
            return rule;
        }

        /** The arm's name in results: {@code max_length}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** An arm's record so far. */
    public record ArmStatistics(Arm arm, int pulls, double meanReward) {
    }

    private final int maxLength;
    private final List<Arm> arms;
    private final int[] pulls;
    private final double[] rewardSums;
    private int total;
    private int current = -1;

    public BanditDraftPolicy(int maxLength) {
        this(maxLength, List.of(Arm.values()));
    }

    public BanditDraftPolicy(int maxLength, List<Arm> arms) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("the longest draft must be >= 1, got " + maxLength);
        }
        if (arms.isEmpty()) {
            throw new IllegalArgumentException("the bandit needs at least one stop rule");
        }
        this.maxLength = maxLength;
        this.arms = List.copyOf(arms);
        this.pulls = new int[arms.size()];
        this.rewardSums = new double[arms.size()];
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public StopRule nextRound() {
        current = choose();
        return arms.get(current).rule();
    }

    @Override
    public void verified(int proposed, int accepted) {
        if (current < 0) {
            throw new IllegalStateException("verified without a round");
        }
        pulls[current]++;
        rewardSums[current] += reward(proposed, accepted, maxLength);
        total++;
        current = -1;
    }

    /** Each arm's pulls and mean reward, in the arms' order. */
    public List<ArmStatistics> statistics() {
        List<ArmStatistics> out = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            out.add(new ArmStatistics(arms.get(i), pulls[i], pulls[i] == 0 ? 0 : rewardSums[i] / pulls[i]));
        }
        return Collections.unmodifiableList(out);
    }

    static double reward(int proposed, int accepted, int maxLength) {
        double rate = proposed == 0 ? 1 : (double) accepted / proposed;
        return 0.5 * rate + 0.5 * (accepted + 1) / (maxLength + 1);
    }

    private int choose() {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < arms.size(); i++) {
            if (pulls[i] == 0) {
                return i;
            }
            double score = rewardSums[i] / pulls[i] + Math.sqrt(2 * Math.log(total) / pulls[i]);
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }
}
