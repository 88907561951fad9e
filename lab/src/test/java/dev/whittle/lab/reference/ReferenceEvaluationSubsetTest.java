package dev.whittle.lab.reference;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceEvaluationSubsetTest {

    /** Item i of an evaluation set asks about attribute i % 6, as the in-context set does. */
    private static final List<Integer> ITEMS = IntStream.range(0, 600).boxed().toList();

    @Test
    void aLimitedSampleIsDistinctInFileOrderAndTheSameEveryTime() {
        List<Integer> sample = ReferenceEvaluation.subset(ITEMS, 60);

        assertThat(sample).hasSize(60).doesNotHaveDuplicates().isSorted();
        assertThat(ReferenceEvaluation.subset(ITEMS, 60)).isEqualTo(sample);
        assertThat(ReferenceEvaluation.subset(ITEMS, 0)).isEqualTo(ITEMS);
        assertThat(ReferenceEvaluation.subset(ITEMS, 600)).isEqualTo(ITEMS);
    }

    @Test
    void aLimitOfSixtyAsksAboutEveryAttributeNotOnlyThoseEveryTenthItemHits() {
        Map<Integer, Long> perAttribute = ReferenceEvaluation.subset(ITEMS, 60).stream()
                .collect(Collectors.groupingBy(i -> i % 6, Collectors.counting()));

        assertThat(perAttribute).hasSize(6);
        assertThat(perAttribute.values()).allMatch(n -> n >= 4);
    }
}
