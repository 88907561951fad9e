package dev.whittle.api.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    private static ResultsView.TrialResult trial(int index, long macs, double retention) {
        return new ResultsView.TrialResult(index, false, "t" + index, null, null, null, retention, null, null, null,
                null, macs, null, null, false);
    }

    /**
     * Worked by hand: (macs, retention) A(10, 1.0), B(5, 0.9), C(6, 0.8), D(3, 0.5), E(5, 0.9), F(8, 0.9). C is beaten by
     * B (cheaper, retains more), F by B (cheaper, as good); B and E tie, so neither beats the other.
     */
    @Test
    void theFrontHoldsTheTrialsNoOtherIsAsCheapAndAsGoodAsCheapestFirst() {
        List<ResultsView.TrialResult> trials = List.of(trial(1, 10, 1.0), trial(2, 5, 0.9), trial(3, 6, 0.8),
                trial(4, 3, 0.5), trial(5, 5, 0.9), trial(6, 8, 0.9));
        assertThat(ExperimentResults.paretoFront(trials, ExperimentResults.Cost.MACS.of)).containsExactly(4, 2, 5, 1);
    }

    @Test
    void trialsWithoutARetentionOrACostTakeNoPart() {
        List<ResultsView.TrialResult> trials = List.of(trial(1, 10, 1.0),
                new ResultsView.TrialResult(2, false, "t2", null, null, null, null, null, null, null, null, 1L, null, null, false),
                new ResultsView.TrialResult(3, false, "t3", null, null, null, 2.0, null, null, null, null, null, null, null, false));
        assertThat(ExperimentResults.paretoFront(trials, ExperimentResults.Cost.MACS.of)).containsExactly(1);
    }
}
