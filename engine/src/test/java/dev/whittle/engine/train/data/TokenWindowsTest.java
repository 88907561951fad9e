package dev.whittle.engine.train.data;

import dev.whittle.engine.train.ops.CrossEntropy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenWindowsTest {

    private static final int[] STREAM = IntStream.range(0, 41).toArray(); // 41 tokens: 10 windows of 4 (+1 target)

    @Test
    void eachPositionPredictsTheNextTokenOfTheStream() {
        TrainingBatch batch = new TokenWindows(STREAM, null, 4, 2, 1).next();
        for (int i = 0; i < batch.tokens(); i++) {
            assertThat(batch.targets()[i]).isEqualTo(batch.inputs()[i] + 1);
        }
        assertThat(batch.inputs()[0] % 4).isZero();
    }

    @Test
    void anEpochVisitsEveryWindowOnceInAFreshOrder() {
        TokenWindows windows = new TokenWindows(STREAM, null, 4, 2, 9);
        List<Integer> firstEpoch = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            TrainingBatch batch = windows.next();
            firstEpoch.add(batch.inputs()[0] / 4);
            firstEpoch.add(batch.inputs()[4] / 4);
        }
        assertThat(new HashSet<>(firstEpoch)).hasSize(10);
        List<Integer> secondEpoch = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            TrainingBatch batch = windows.next();
            secondEpoch.add(batch.inputs()[0] / 4);
            secondEpoch.add(batch.inputs()[4] / 4);
        }
        assertThat(new HashSet<>(secondEpoch)).hasSize(10);
        assertThat(secondEpoch).isNotEqualTo(firstEpoch);
        assertThat(windows.position().epoch()).isEqualTo(1);
    }

    @Test
    void seekingToAReportedPositionReplaysTheSameBatches() {
        TokenWindows original = new TokenWindows(STREAM, null, 4, 3, 5);
        for (int i = 0; i < 7; i++) {
            original.next(); // crosses epoch boundaries (3 batches of 3 per epoch of 10 windows)
        }
        TokenWindows.Position position = original.position();
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            expected.add(original.next().inputs());
        }
        TokenWindows resumed = new TokenWindows(STREAM, null, 4, 3, 5);
        resumed.seek(position);
        for (int[] inputs : expected) {
            assertThat(resumed.next().inputs()).containsExactly(inputs);
        }
        assertThat(resumed.position()).isEqualTo(original.position());
    }

    @Test
    void targetsOfUnscoredTokensAreIgnored() {
        boolean[] scored = new boolean[STREAM.length];
        Set<Integer> answers = Set.of(5, 6, 7, 20, 33);
        for (int a : answers) {
            scored[a] = true;
        }
        TokenWindows windows = new TokenWindows(STREAM, scored, 4, 10, 2);
        TrainingBatch batch = windows.next();
        for (int i = 0; i < batch.tokens(); i++) {
            int next = batch.inputs()[i] + 1;
            assertThat(batch.targets()[i]).isEqualTo(answers.contains(next) ? next : CrossEntropy.IGNORE);
        }
        assertThat(batch.scoredTokens()).isEqualTo(answers.size());
    }

    @Test
    void aStreamTooShortForOneBatchIsRefused() {
        assertThatThrownBy(() -> new TokenWindows(STREAM, null, 8, 6, 1))
                .hasMessageContaining("holds 5 windows of 8");
    }
}
