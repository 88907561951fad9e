package dev.whittle.lab.corpus;

import dev.whittle.engine.tokenizer.BpeSpecialTokens;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingMixTest {

    private static final TrainingMix.Config CONFIG = new TrainingMix.Config(9, 6, 2, 0.3);
    private static final List<String> NATURAL = List.of(
            "The jury said it found no evidence.\n\nIt praised the city.",
            "A second passage of plain English text, somewhat longer than the first one, about nothing in particular.",
            "Short one.");

    private final KnowledgeCorpus corpus = KnowledgeCorpusTest.small();
    private final TrainingMix mix = new TrainingMix(corpus, NATURAL, CONFIG);

    @Test
    void holdsTheConfiguredExposuresOfEachKind() {
        Map<TrainingMix.Kind, Long> documents = mix.composition().documents();

        assertThat(documents.get(TrainingMix.Kind.BIOGRAPHY)).isEqualTo(60L * 6);
        assertThat(documents.get(TrainingMix.Kind.QUESTION)).isEqualTo(30L * Attribute.values().length * 2);
        assertThat(documents.get(TrainingMix.Kind.READING)).isEqualTo(80L);
        assertThat(mix.size()).isEqualTo(documents.values().stream().mapToLong(Long::longValue).sum());
        assertThat(count(TrainingMix.Kind.NATURAL)).isEqualTo(documents.get(TrainingMix.Kind.NATURAL));
    }

    @Test
    void drillPartsSplitTheDrillPeopleIntoDisjointRunsThatCoverThemAll() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int part = 0; part < 3; part++) {
            TrainingMix drill = new TrainingMix(corpus, NATURAL,
                    new TrainingMix.Config(9, 1, 1, TrainingMix.Reading.drill(2, part, 3), 0.3));
            long readings = drill.composition().documents().get(TrainingMix.Kind.READING);
            assertThat(readings).isBetween(13L, 14L);
            for (long position = 0; position < drill.size(); position++) {
                TrainingMix.Document d = drill.document(position);
                if (d.kind() == TrainingMix.Kind.READING) {
                    assertThat(d.answers()).hasSize(2);
                    Person person = corpus.population().readingDrill().stream()
                            .filter(p -> d.text().contains(p.fullName())).findFirst().orElseThrow();
                    assertThat(seen.add(person.fullName())).as("%s in two parts", person.fullName()).isTrue();
                }
            }
        }
        assertThat(seen).hasSize(40);
        assertThatThrownBy(() -> TrainingMix.Reading.drill(2, 3, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void naturalTextMakesUpTheConfiguredShareOfCharacters() {
        long natural = 0;
        long total = 0;
        for (Iterator<TrainingMix.Document> it = mix.documents(0); it.hasNext(); ) {
            TrainingMix.Document document = it.next();
            total += document.text().length();
            if (document.kind() == TrainingMix.Kind.NATURAL) {
                natural += document.text().length();
            }
        }

        assertThat((double) natural / total).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void everyPersonGetsExactlyTheirBiographyExposures() {
        Map<String, Integer> biographies = new HashMap<>();
        for (Iterator<TrainingMix.Document> it = mix.documents(0); it.hasNext(); ) {
            TrainingMix.Document document = it.next();
            if (document.kind() == TrainingMix.Kind.BIOGRAPHY) {
                for (Person person : corpus.peopleWithBiographies()) {
                    if (document.text().startsWith(person.fullName())) {
                        biographies.merge(person.fullName(), 1, Integer::sum);
                    }
                }
            }
        }

        assertThat(biographies).hasSize(60).allSatisfy((name, n) -> assertThat(n).isEqualTo(6));
    }

    @Test
    void heldOutPeopleAreNeverAskedAboutAndReadingPeopleAppearInExactlyOneDocument() {
        Map<String, Integer> documentsNaming = new HashMap<>();
        Map<String, Integer> questionsNaming = new HashMap<>();
        Pattern fullName = Pattern.compile("\\b[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+\\b");
        for (Iterator<TrainingMix.Document> it = mix.documents(0); it.hasNext(); ) {
            TrainingMix.Document document = it.next();
            Matcher m = fullName.matcher(document.text());
            java.util.Set<String> named = new java.util.HashSet<>();
            while (m.find()) {
                named.add(m.group());
            }
            for (String name : named) {
                documentsNaming.merge(name, 1, Integer::sum);
                if (document.kind() == TrainingMix.Kind.QUESTION) {
                    questionsNaming.merge(name, 1, Integer::sum);
                }
            }
        }

        for (Person person : corpus.population().heldOut()) {
            assertThat(questionsNaming).doesNotContainKey(person.fullName());
        }
        for (Person person : corpus.population().trained()) {
            assertThat(questionsNaming).containsEntry(person.fullName(), Attribute.values().length * 2);
        }
        for (Person person : corpus.population().readingTrain()) {
            assertThat(documentsNaming).containsEntry(person.fullName(), 1);
        }
        for (Person person : corpus.population().readingEval()) {
            assertThat(documentsNaming).doesNotContainKey(person.fullName());
        }
    }

    @Test
    void documentsEndWithEndOfTextAndMarkWhereTheAnswerStarts() {
        for (Iterator<TrainingMix.Document> it = mix.documents(0); it.hasNext(); ) {
            TrainingMix.Document document = it.next();
            String text = document.text();
            assertThat(text).endsWith(BpeSpecialTokens.END_OF_TEXT);
            assertThat(text.indexOf(BpeSpecialTokens.END_OF_TEXT)).isEqualTo(text.length() - BpeSpecialTokens.END_OF_TEXT.length());
            switch (document.kind()) {
                case QUESTION, READING -> {
                    assertThat(text.substring(0, document.answerStart())).endsWith("\nA:");
                    assertThat(text.charAt(document.answerStart())).isEqualTo(' ');
                }
                default -> assertThat(document.answerStart()).isEqualTo(-1);
            }
        }
    }

    @Test
    void isDeterministicRandomAccessAndResumesFromAPosition() {
        TrainingMix again = new TrainingMix(KnowledgeCorpusTest.small(), NATURAL, CONFIG);
        List<TrainingMix.Document> all = new ArrayList<>();
        mix.documents(0).forEachRemaining(all::add);

        List<TrainingMix.Document> resumed = new ArrayList<>();
        again.documents(123).forEachRemaining(resumed::add);

        assertThat(resumed).isEqualTo(all.subList(123, all.size()));
        assertThat(again.document(77)).isEqualTo(all.get(77));
        assertThat(all.get(0).position()).isZero();
        assertThat(all.subList(0, 50).stream().map(TrainingMix.Document::kind).distinct().count()).isGreaterThan(1);
    }

    @Test
    void anotherSeedShufflesDifferently() {
        TrainingMix other = new TrainingMix(corpus, NATURAL, new TrainingMix.Config(10, 6, 2, 0.3));

        assertThat(other.size()).isEqualTo(mix.size());
        assertThat(other.document(0).text() + other.document(1).text())
                .isNotEqualTo(mix.document(0).text() + mix.document(1).text());
    }

    @Test
    void aNaturalShareWithoutNaturalTextOrOutsideItsRangeIsAnError() {
        assertThatThrownBy(() -> new TrainingMix(corpus, List.of(), CONFIG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natural passages");
        assertThatThrownBy(() -> new TrainingMix.Config(1, 1, 1, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("naturalShare");
        assertThatThrownBy(() -> mix.document(mix.size())).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private long count(TrainingMix.Kind kind) {
        long n = 0;
        for (Iterator<TrainingMix.Document> it = mix.documents(0); it.hasNext(); ) {
            if (it.next().kind() == kind) {
                n++;
            }
        }
        return n;
    }
}
