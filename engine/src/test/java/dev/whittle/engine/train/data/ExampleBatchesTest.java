package dev.whittle.engine.train.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.whittle.engine.train.ops.CrossEntropy.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;

class ExampleBatchesTest {

    /** Example i: prompt {100+i, 1}, response of i+1 tokens {200+i, ...}. */
    static List<SupervisedExample> examples(int n) {
        List<SupervisedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] response = new int[i % 4 + 1];
            Arrays.fill(response, 200 + i);
            out.add(new SupervisedExample(new int[]{100 + i, 1}, response));
        }
        return out;
    }

    @Test
    void onlyTheResponsesNextTokensAreScored() {
        SupervisedExample example = new SupervisedExample(new int[]{5, 6, 7}, new int[]{8, 9});
        TrainingBatch batch = ExampleBatches.inOrder(List.of(example), 16, 16, ExampleBatches.Layout.PACKED).getFirst();
        assertThat(batch.inputs()).containsExactly(5, 6, 7, 8);
        assertThat(batch.targets()).containsExactly(IGNORE, IGNORE, 8, 9);
    }

    @Test
    void packedBatchesStackWholeExamplesUnderTheBudgetAndVisitEachOncePerEpoch() {
        List<SupervisedExample> examples = examples(10);
        ExampleBatches batches = new ExampleBatches(examples, 12, 8, ExampleBatches.Layout.PACKED, 3);
        List<Integer> seen = new ArrayList<>();
        while (seen.size() < 10) {
            TrainingBatch batch = batches.next();
            assertThat(batch.tokens()).isLessThanOrEqualTo(12);
            for (int s = 0; s < batch.sequences(); s++) {
                int[] sequence = batch.sequence(s);
                // Its own length: prompt (2) + response - 1 inputs, no padding.
                assertThat(sequence.length).isEqualTo(2 + (sequence[0] - 100) % 4);
                seen.add(sequence[0] - 100);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(batches.position().epoch()).isZero();
    }

    @Test
    void paddedSequencesShareTheLongestLengthAndThePaddingScoresNothing() {
        TrainingBatch batch = ExampleBatches.inOrder(examples(4), 100, 8, ExampleBatches.Layout.PADDED).getFirst();
        assertThat(batch.lengths()).containsExactly(5, 5, 5, 5);
        // Example 0 is {100, 1, 200}: two inputs, then padding.
        assertThat(Arrays.copyOfRange(batch.inputs(), 0, 5)).containsExactly(100, 1, ExampleBatches.PAD,
                ExampleBatches.PAD, ExampleBatches.PAD);
        assertThat(Arrays.copyOfRange(batch.targets(), 0, 5)).containsExactly(IGNORE, 200, IGNORE, IGNORE, IGNORE);
        assertThat(batch.scoredTokens()).isEqualTo(1 + 2 + 3 + 4);
    }

    @Test
    void aPromptThatFillsTheLengthIsLeftOutAndCounted() {
        List<SupervisedExample> examples = List.of(new SupervisedExample(new int[]{1, 2, 3, 4, 5}, new int[]{6}),
                new SupervisedExample(new int[]{1}, new int[]{2}));
        ExampleBatches batches = new ExampleBatches(examples, 4, 4, ExampleBatches.Layout.PACKED, 1);
        assertThat(batches.exampleCount()).isEqualTo(1);
        assertThat(batches.skipped()).isEqualTo(1);
    }

    @Test
    void theHeldOutSplitIsSeededDisjointAndComplete() {
        List<SupervisedExample> examples = examples(20);
        SupervisedExample.Split split = SupervisedExample.split(examples, 0.2, 9);
        assertThat(split.heldOut()).hasSize(4);
        assertThat(split.training()).hasSize(16).doesNotContainAnyElementsOf(split.heldOut());
        assertThat(SupervisedExample.split(examples, 0.2, 9).heldOut()).isEqualTo(split.heldOut());
    }

    @Test
    void aStreamSeekedToAPositionDrawsTheSameBatches() {
        ExampleBatches original = new ExampleBatches(examples(9), 7, 6, ExampleBatches.Layout.PACKED, 5);
        for (int i = 0; i < 7; i++) {
            original.next();
        }
        TrainingData.Position position = original.position();
        ExampleBatches resumed = new ExampleBatches(examples(9), 7, 6, ExampleBatches.Layout.PACKED, 5);
        resumed.seek(position);
        for (int i = 0; i < 10; i++) {
            TrainingBatch a = original.next();
            TrainingBatch b = resumed.next();
            assertThat(b.inputs()).containsExactly(a.inputs());
            assertThat(b.lengths()).containsExactly(a.lengths());
        }
    }
}
