package dev.whittle.engine.train.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    private final LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 1e-4, 10, 110);

    @Test
    void warmupRisesLinearlyToThePeak() {
        assertThat(schedule.at(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(schedule.at(4)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.at(9)).isCloseTo(1e-3, within(1e-12));
    }

    @Test
    void cosineDecaysFromPeakThroughTheMidpointToTheMinimum() {
        assertThat(schedule.at(10)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.at(60)).isCloseTo(5.5e-4, within(1e-12));
        assertThat(schedule.at(110)).isCloseTo(1e-4, within(1e-12));
        assertThat(schedule.at(5000)).isCloseTo(1e-4, within(1e-12));
        for (long s = 10; s < 110; s++) {
            assertThat(schedule.at(s + 1)).isLessThanOrEqualTo(schedule.at(s));
        }
    }

    @Test
    void inconsistentSettingsAreRefused() {
        assertThatThrownBy(() -> new LearningRateSchedule(1e-3, 1e-2, 0, 10)).hasMessageContaining("min");
        assertThatThrownBy(() -> new LearningRateSchedule(1e-3, 0, 20, 10)).hasMessageContaining("warmup");
    }
}
