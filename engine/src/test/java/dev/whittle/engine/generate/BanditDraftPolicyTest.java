package dev.whittle.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BanditDraftPolicyTest {

    @Test
    void theRewardBlendsTheAcceptanceRateWithTheAcceptedLength() {
        assertThat(BanditDraftPolicy.reward(8, 8, 8)).isEqualTo(1.0);
        assertThat(BanditDraftPolicy.reward(1, 0, 8)).isCloseTo(0.5 / 9, within(1e-15));
        // Half of 4 accepted: ½·½ + ½·3/9.
        assertThat(BanditDraftPolicy.reward(4, 2, 8)).isCloseTo(0.25 + 1.5 / 9, within(1e-15));
        // Stopping at once and being right beats drafting the whole length and losing all of it.
        assertThat(BanditDraftPolicy.reward(1, 1, 8)).isGreaterThan(BanditDraftPolicy.reward(8, 0, 8));
    }

    /**
     * Two arms, one always rewarded 1/18 and one always 1: UCB1 (Auer et al., 2002) plays each once, then the
     * higher of mean + sqrt(2 ln n / n_i). The sequence below was worked out from that formula: the poor arm
     * comes back once its bonus sqrt(2 ln 6) = 1.89 outgrows the good arm's 1 + sqrt(2 ln 6 / 5) = 1.85.
     */
    @Test
    void ucb1PlaysEachArmOnceThenTheBestBoundAsWorkedOutByHand() {
        BanditDraftPolicy bandit = new BanditDraftPolicy(8,
                List.of(BanditDraftPolicy.Arm.CONFIDENCE, BanditDraftPolicy.Arm.MAX_LENGTH));
        List<Integer> played = new ArrayList<>();
        for (int round = 0; round < 12; round++) {
            boolean good = bandit.nextRound() == BanditDraftPolicy.Arm.MAX_LENGTH.rule();
            played.add(good ? 1 : 0);
            if (good) {
                bandit.verified(8, 8);
            } else {
                bandit.verified(1, 0);
            }
        }

        assertThat(played).containsExactly(0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
        assertThat(bandit.statistics()).extracting(BanditDraftPolicy.ArmStatistics::pulls).containsExactly(2, 10);
        assertThat(bandit.statistics().get(1).meanReward()).isEqualTo(1.0);
    }

    /** 500 rounds, the entropy rule's rewarded 0.78, the others 0.24: UCB1 gives the others 25 rounds each. */
    @Test
    void overManyRoundsTheBestArmIsPlayedAlmostAlways() {
        BanditDraftPolicy bandit = new BanditDraftPolicy(8);
        for (int round = 0; round < 500; round++) {
            DraftPolicy.StopRule rule = bandit.nextRound();
            // Only the entropy rule's rounds are fully accepted here.
            if (rule == BanditDraftPolicy.Arm.ENTROPY.rule()) {
                bandit.verified(4, 4);
            } else {
                bandit.verified(4, 1);
            }
        }

        assertThat(bandit.statistics()).extracting(BanditDraftPolicy.ArmStatistics::arm)
                .containsExactly(BanditDraftPolicy.Arm.values());
        assertThat(bandit.statistics()).extracting(BanditDraftPolicy.ArmStatistics::pulls)
                .containsExactly(25, 25, 25, 400, 25);
    }

    @Test
    void theStopRulesReadTheDraftsDistribution() {
        DraftStep sure = new DraftStep(1, 0.9, 0.05, 0.4, 0.9);
        DraftStep torn = new DraftStep(1, 0.45, 0.4, 1.2, 0.45);
        DraftStep lateInARound = new DraftStep(4, 0.8, 0.1, 0.6, 0.41);

        for (BanditDraftPolicy.Arm arm : BanditDraftPolicy.Arm.values()) {
            assertThat(arm.rule().stop(sure)).as(arm.id()).isFalse();
        }
        assertThat(BanditDraftPolicy.Arm.MAX_LENGTH.rule().stop(torn)).isFalse();
        assertThat(BanditDraftPolicy.Arm.CONFIDENCE.rule().stop(torn)).isTrue();
        assertThat(BanditDraftPolicy.Arm.MARGIN.rule().stop(torn)).isTrue();
        assertThat(BanditDraftPolicy.Arm.ENTROPY.rule().stop(torn)).isTrue();
        assertThat(BanditDraftPolicy.Arm.CUMULATIVE.rule().stop(torn)).isTrue();
        // Each token sure enough, but the round as a whole below even odds.
        assertThat(BanditDraftPolicy.Arm.CONFIDENCE.rule().stop(lateInARound)).isFalse();
        assertThat(BanditDraftPolicy.Arm.CUMULATIVE.rule().stop(lateInARound)).isTrue();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new BanditDraftPolicy(0)).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> new BanditDraftPolicy(4, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new BanditDraftPolicy(4).verified(1, 1)).hasMessageContaining("without a round");
        assertThatThrownBy(() -> DraftPolicy.fixed(0)).hasMessageContaining(">= 1");
    }
}
