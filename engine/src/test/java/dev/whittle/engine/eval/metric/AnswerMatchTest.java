package dev.whittle.engine.eval.metric;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Normalisation and answer scores against values worked out by hand from SQuAD's and LLM-KICK's definitions. */
class AnswerMatchTest {

    @Test
    void normalisationLowersCaseDeletesPunctuationDropsArticlesAndCollapsesSpaces() {
        assertThat(AnswerNormalizer.normalize("  The Eiffel-Tower!  ")).isEqualTo("eiffeltower");
        assertThat(AnswerNormalizer.normalize("An apple a\tday,\n keeps THE doctor away.")).isEqualTo("apple day keeps doctor away");
        // Articles only as whole words: "theatre" and "anna" stay.
        assertThat(AnswerNormalizer.normalize("Theatre of Anna")).isEqualTo("theatre of anna");
        assertThat(AnswerNormalizer.normalize("The")).isEmpty();
        assertThat(AnswerNormalizer.normalizedTokens("a  b c")).containsExactly("b", "c");
    }

    @Test
    void exactMatchComparesNormalisedTextsWithEveryGold() {
        assertThat(AnswerMatch.exactMatch("Salman Rushdie.", List.of("salman rushdie"))).isTrue();
        assertThat(AnswerMatch.exactMatch("the 1966", List.of("August 19, 1966", "1966"))).isTrue();
        assertThat(AnswerMatch.exactMatch("Salman Rushdie wrote it", List.of("salman rushdie"))).isFalse();
        assertThat(AnswerMatch.exactMatch("", List.of("the"))).isTrue();
    }

    @Test
    void lenientMatchFindsANormalisedGoldAsWholeWordsInTheOutput() {
        assertThat(AnswerMatch.lenientMatch("It was Salman Rushdie, in 1989.", List.of("salman rushdie"))).isTrue();
        assertThat(AnswerMatch.lenientMatch("the city of Rome.", List.of("Paris", "rome"))).isTrue();
        assertThat(AnswerMatch.lenientMatch("Romeo", List.of("rome"))).isFalse();
        assertThat(AnswerMatch.lenientMatch("Rushdie", List.of("salman rushdie"))).isFalse();
        // A gold that normalises to nothing matches nothing.
        assertThat(AnswerMatch.lenientMatch("the answer", List.of("The"))).isFalse();
    }

    @Test
    void f1CountsSharedTokensWithMultiplicityAndTakesTheBestGold() {
        // [cat, sat, on, mat] vs [cat, on, mat]: 3 shared, precision 3/4, recall 1.
        assertThat(AnswerMatch.f1("the cat sat on the mat", List.of("a cat on a mat"))).isCloseTo(6.0 / 7, within(1e-12));
        // [red, red, blue] vs [red, blue, blue]: 2 shared, precision = recall = 2/3.
        assertThat(AnswerMatch.f1("red red blue", List.of("red blue blue"))).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(AnswerMatch.f1("red red blue", List.of("green", "red blue blue", "red"))).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(AnswerMatch.f1("green", List.of("red"))).isZero();
        assertThat(AnswerMatch.f1("the", List.of("a"))).isEqualTo(1.0);
        assertThat(AnswerMatch.f1("the", List.of("red"))).isZero();
    }
}
