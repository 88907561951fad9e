package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ArithmeticTest {

    private static final Pattern PLUS = Pattern.compile("(?:What is|How much is) (\\d+) plus (\\d+)\\?|Add (\\d+) and (\\d+)\\.");
    private static final Pattern MINUS = Pattern.compile("(?:What is|How much is) (\\d+) minus (\\d+)\\?|Subtract (\\d+) from (\\d+)\\.");

    private final Arithmetic arithmetic = new Arithmetic();

    @Test
    void everySumAndDifferenceWithinOneToTwentyEightIsTrainedOrHeldOutNeverBoth() {
        Set<Arithmetic.Problem> trained = new HashSet<>(arithmetic.trained());
        Set<Arithmetic.Problem> heldOut = new HashSet<>(arithmetic.heldOut());
        // a + b <= 28 with a, b >= 1: 27 + 26 + ... + 1 pairs; a - b >= 1 with a <= 28: as many.
        int pairs = 27 * 28 / 2;

        assertThat(trained).hasSize(arithmetic.trained().size()).doesNotContainAnyElementsOf(heldOut);
        assertThat(trained.size() + heldOut.size()).isEqualTo(2 * pairs);
        assertThat(heldOut).hasSize(2 * pairs * 15 / 100);
        assertThat(heldOut).anyMatch(Arithmetic.Problem::plus).anyMatch(p -> !p.plus());
    }

    @Test
    void aMixWithArithmeticAsksOnlyTrainedProblemsAndScoresTheirCorrectAnswers() {
        TrainingMix mix = new TrainingMix(KnowledgeCorpusTest.small(), List.of("Some plain English."),
                new TrainingMix.Config(9, 1, 1, 0.3).withArithmetic(3 * arithmetic.trained().size()));
        Set<String> heldOutQuestions = new HashSet<>();
        for (Arithmetic.Problem p : arithmetic.heldOut()) {
            for (int t = 0; t < Arithmetic.TEMPLATES; t++) {
                heldOutQuestions.add(p.question(t).question());
            }
        }

        int seen = 0;
        for (long position = 0; position < mix.size(); position++) {
            TrainingMix.Document d = mix.document(position);
            if (d.kind() != TrainingMix.Kind.ARITHMETIC) {
                continue;
            }
            seen++;
            String question = d.text().substring("Q: ".length(), d.text().indexOf("\nA:"));
            assertThat(heldOutQuestions).doesNotContain(question);
            String answer = d.text().substring(d.answers().getFirst().start(), d.text().indexOf("<|endoftext|>"));
            assertThat(answer).isEqualTo(" " + solve(question));
            assertThat(d.answers().getFirst().end()).isEqualTo(d.text().length());
        }
        assertThat(seen).isEqualTo(3 * arithmetic.trained().size());
        assertThat(mix.composition().documents()).containsEntry(TrainingMix.Kind.ARITHMETIC, (long) seen);
    }

    @Test
    void aMixWithoutArithmeticDescribesItselfAsBeforeTheKindExisted() {
        TrainingMix.Config dense = TrainingMix.Config.reference();
        TrainingMix mix = new TrainingMix(KnowledgeCorpusTest.small(), List.of("Some plain English."), dense);

        assertThat(dense.toString()).isEqualTo("Config[seed=7, biographyExposures=250, questionExposures=10, reading="
                + "Reading[people=TRAIN, questionsPerPassage=1, part=0, parts=1], naturalShare=0.3]");
        assertThat(mix.composition().documents()).doesNotContainKey(TrainingMix.Kind.ARITHMETIC);
    }

    /** The answer worked out from the question's words. */
    private static int solve(String question) {
        Matcher plus = PLUS.matcher(question);
        if (plus.matches()) {
            return plus.group(1) != null ? Integer.parseInt(plus.group(1)) + Integer.parseInt(plus.group(2))
                    : Integer.parseInt(plus.group(3)) + Integer.parseInt(plus.group(4));
        }
        Matcher minus = MINUS.matcher(question);
        assertThat(minus.matches()).as(question).isTrue();
        return minus.group(1) != null ? Integer.parseInt(minus.group(1)) - Integer.parseInt(minus.group(2))
                : Integer.parseInt(minus.group(4)) - Integer.parseInt(minus.group(3));
    }
}
