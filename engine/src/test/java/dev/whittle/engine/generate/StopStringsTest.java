package dev.whittle.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StopStringsTest {

    private final StopStrings stops = new StopStrings(List.of("\n\n", "END"));

    @Test
    void theEarliestStopStringWins() {
        assertThat(stops.firstMatch("abc END x\n\n", 0)).isEqualTo(4);
        assertThat(stops.firstMatch("abc\n\nEND", 0)).isEqualTo(3);
        assertThat(stops.firstMatch("no stop here", 0)).isEqualTo(-1);
    }

    @Test
    void textThatMightBeginAStopStringIsHeldBack() {
        assertThat(stops.safeLength("hello EN")).isEqualTo(6);
        assertThat(stops.safeLength("hello\n")).isEqualTo(5);
        assertThat(stops.safeLength("hello E.")).isEqualTo(8);
        assertThat(StopStrings.none().safeLength("anything")).isEqualTo(8);
    }
}
