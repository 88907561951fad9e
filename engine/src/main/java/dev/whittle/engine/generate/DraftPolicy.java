package dev.whittle.engine.generate;

/**
 * How many tokens the draft proposes in each round of speculative decoding. A round starts with
 * {@link #nextRound()}, whose rule sees the draft's distribution after every proposed token and may end the round
 * early; the round never exceeds {@link #maxLength()}. After verification the policy learns how many proposals the
 * target kept.
 */
public interface DraftPolicy {

    /** The most tokens a round proposes. */
    int maxLength();

    /** The stop rule for the next round. */
    StopRule nextRound();

    /** What verification made of the round: {@code accepted} of {@code proposed} draft tokens kept. */
    void verified(int proposed, int accepted);

    /** Always {@code k} tokens: the static draft length. */
    static DraftPolicy fixed(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("the draft length must be >= 1, got " + k);
        }
        return new DraftPolicy() {
            @Override
            public int maxLength() {
                return k;
            }

            @Override
            public StopRule nextRound() {
                return StopRule.NEVER;
            }

            @Override
            public void verified(int proposed, int accepted) {
            }
        };
    }

    /** Whether to stop drafting after the token just proposed, given the draft's distribution over it. */
    @FunctionalInterface
    interface StopRule {

        StopRule NEVER = step -> false;

        boolean stop(DraftStep step);
    }
}
