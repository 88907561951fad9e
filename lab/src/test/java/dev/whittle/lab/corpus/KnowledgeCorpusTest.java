package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KnowledgeCorpusTest {

    static final KnowledgeCorpus.Config SMALL = new KnowledgeCorpus.Config(42, 60, 30, 80, 36, 40, 0.5);

    static KnowledgeCorpus small() {
        return new KnowledgeCorpus(SMALL, KnowledgePools.standard());
    }

    @Test
    void theSameSeedGivesTheSamePeopleAndTexts() {
        KnowledgeCorpus a = small();
        KnowledgeCorpus b = small();
        KnowledgeCorpus other = new KnowledgeCorpus(new KnowledgeCorpus.Config(43, 60, 30, 80, 36, 40, 0.5),
                KnowledgePools.standard());

        assertThat(a.population()).isEqualTo(b.population());
        assertThat(a.biography(5, 3)).isEqualTo(b.biography(5, 3));
        assertThat(a.trainingQuestion(2, Attribute.FIELD, 1)).isEqualTo(b.trainingQuestion(2, Attribute.FIELD, 1));
        assertThat(a.readingExample(7)).isEqualTo(b.readingExample(7));
        assertThat(other.population()).isNotEqualTo(a.population());
    }

    @Test
    void everyBiographyNamesThePersonAndStatesEachOfTheirSixFacts() {
        KnowledgeCorpus corpus = small();
        List<Person> people = corpus.peopleWithBiographies();

        for (int p = 0; p < people.size(); p++) {
            Person person = people.get(p);
            for (int exposure = 0; exposure < 20; exposure++) {
                String biography = corpus.biography(p, exposure);
                assertThat(biography).startsWith(person.fullName());
                for (Attribute attribute : Attribute.values()) {
                    assertThat(biography).as("%s of %s", attribute, person.fullName())
                            .contains(person.value(attribute));
                }
                assertThat(biography.split("\\. ")).hasSize(Attribute.values().length);
            }
        }
    }

    @Test
    void biographiesOfOnePersonAreParaphrasedWithTheirSentencesInDifferentOrders() {
        KnowledgeCorpus corpus = small();
        Person person = corpus.peopleWithBiographies().getFirst();
        Set<String> texts = new HashSet<>();
        Set<Attribute> firstFacts = new HashSet<>();

        for (int exposure = 0; exposure < 50; exposure++) {
            String biography = corpus.biography(0, exposure);
            texts.add(biography);
            String firstSentence = biography.substring(0, biography.indexOf(". ") + 1);
            for (Attribute attribute : Attribute.values()) {
                if (firstSentence.contains(person.value(attribute))) {
                    firstFacts.add(attribute);
                }
            }
        }

        assertThat(texts).hasSize(50);
        assertThat(firstFacts).hasSize(Attribute.values().length);
    }

    @Test
    void peopleWithBiographiesHaveDistinctFirstAndLastNamesAndReadingPeopleAreAllNew() {
        Population population = small().population();
        Set<String> firstLast = new HashSet<>();
        Set<String> fullNames = new HashSet<>();

        for (Person person : population.withBiographies()) {
            assertThat(firstLast.add(person.firstName() + " " + person.lastName())).isTrue();
            fullNames.add(person.fullName());
        }
        for (Person person : population.readingTrain()) {
            assertThat(firstLast).doesNotContain(person.firstName() + " " + person.lastName());
            assertThat(fullNames.add(person.fullName())).isTrue();
        }
        for (Person person : population.readingEval()) {
            assertThat(firstLast).doesNotContain(person.firstName() + " " + person.lastName());
            assertThat(fullNames.add(person.fullName())).isTrue();
        }
        for (Person person : population.readingDrill()) {
            assertThat(firstLast).doesNotContain(person.firstName() + " " + person.lastName());
            assertThat(fullNames.add(person.fullName())).isTrue();
        }
        assertThat(population.readingDrill()).hasSize(40);
        assertThat(population.trained()).hasSize(30);
        assertThat(population.heldOut()).hasSize(30);
    }

    @Test
    void drillPeopleAreDrawnAfterEveryoneElseSoTheOtherGroupsDoNotDependOnHowManyThereAre() {
        KnowledgeCorpus without = new KnowledgeCorpus(new KnowledgeCorpus.Config(42, 60, 30, 80, 36, 0, 0.5),
                KnowledgePools.standard());
        Population with = small().population();
        assertThat(without.population().withBiographies()).isEqualTo(with.withBiographies());
        assertThat(without.population().readingTrain()).isEqualTo(with.readingTrain());
        assertThat(without.population().readingEval()).isEqualTo(with.readingEval());
    }

    @Test
    void aDrillPassageStatesEveryFactAndAsksDistinctOnesWhoseAnswersSitAtTheirSpans() {
        KnowledgeCorpus corpus = small();
        for (int i = 0; i < 40; i++) {
            KnowledgeCorpus.ReadingDrill drill = corpus.readingDrill(i, 3);
            Person person = corpus.population().readingDrill().get(i);
            assertThat(drill.person()).isEqualTo(person);
            for (Attribute attribute : Attribute.values()) {
                assertThat(drill.passage()).contains(person.value(attribute));
            }
            assertThat(drill.qas()).hasSize(3);
            assertThat(drill.qas().stream().map(Biographer.QuestionAnswer::question).distinct()).hasSize(3);
            String text = drill.text();
            assertThat(text).startsWith(drill.passage() + "\nQ: ");
            List<int[]> spans = drill.answerSpans();
            for (int q = 0; q < 3; q++) {
                String answer = drill.qas().get(q).answer();
                assertThat(text.substring(spans.get(q)[0], spans.get(q)[1])).isEqualTo(" " + answer);
                assertThat(text.substring(0, spans.get(q)[0])).endsWith(drill.qas().get(q).prompt());
            }
            assertThat(spans.getLast()[1]).isEqualTo(text.length());
        }
        assertThat(corpus.readingDrill(5, 3)).isEqualTo(corpus.readingDrill(5, 3));
        assertThatThrownBy(() -> corpus.readingDrill(0, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void workCityIsTheEmployersCity() {
        for (Person person : small().peopleWithBiographies()) {
            assertThat(person.value(Attribute.WORK_CITY)).isEqualTo(person.employer().city());
        }
    }

    @Test
    void questionsAskAboutTheRightFactAndAnswerItExactly() {
        KnowledgeCorpus corpus = small();
        Person person = corpus.population().trained().get(3);

        Biographer.QuestionAnswer qa = corpus.trainingQuestion(3, Attribute.BIRTH_CITY, 0);

        assertThat(qa.question()).contains(person.fullName());
        assertThat(qa.answer()).isEqualTo(person.birthCity());
        assertThat(qa.text()).isEqualTo("Q: " + qa.question() + "\nA: " + person.birthCity());
    }

    @Test
    void datesAreWrittenMonthDayYear() {
        assertThat(Attribute.formatDate(java.time.LocalDate.of(1974, 3, 3))).isEqualTo("March 3, 1974");
    }

    @Test
    void poolsTooSmallForTheRequestedPeopleAreAnError() {
        KnowledgePools tiny = new KnowledgePools(List.of("Ann"), List.of("Bob"), List.of("Lee"), List.of("Ray"),
                List.of("A", "B", "C", "D"), List.of("U1", "U2", "U3", "U4"), List.of("f1", "f2", "f3", "f4"),
                List.of(new KnowledgePools.Employer("E1", "A"), new KnowledgePools.Employer("E2", "B"),
                        new KnowledgePools.Employer("E3", "C"), new KnowledgePools.Employer("E4", "D")),
                1950, 1960);

        assertThatThrownBy(() -> new KnowledgeCorpus(new KnowledgeCorpus.Config(1, 3, 1, 0, 0, 0, 0.5), tiny))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too few");
    }
}
