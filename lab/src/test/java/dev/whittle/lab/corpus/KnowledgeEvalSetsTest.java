package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class KnowledgeEvalSetsTest {

    @TempDir
    Path dir;

    private final KnowledgeCorpus corpus = KnowledgeCorpusTest.small();

    @Test
    void writesThePromisedNumberOfItemsPerFile() throws IOException {
        Map<String, Integer> counts = KnowledgeEvalSets.write(corpus, dir);

        int facts = Attribute.values().length;
        assertThat(counts).containsEntry(KnowledgeEvalSets.CLOSED_BOOK, 30 * facts)
                .containsEntry(KnowledgeEvalSets.MULTIPLE_CHOICE, 30 * facts)
                .containsEntry(KnowledgeEvalSets.IN_CONTEXT, 36)
                .containsEntry(KnowledgeEvalSets.CLOSED_BOOK_TRAINED, 30 * facts)
                .containsEntry(KnowledgeEvalSets.PEOPLE, 60);
        assertThat(KnowledgeEvalSets.read(dir.resolve(KnowledgeEvalSets.CLOSED_BOOK), KnowledgeEvalSets.ClosedBook.class))
                .isEqualTo(KnowledgeEvalSets.closedBook(corpus, corpus.population().heldOut(), "cb"));
        assertThat(KnowledgeEvalSets.read(dir.resolve(KnowledgeEvalSets.MULTIPLE_CHOICE), KnowledgeEvalSets.MultipleChoice.class))
                .isEqualTo(KnowledgeEvalSets.multipleChoice(corpus));
        assertThat(KnowledgeEvalSets.read(dir.resolve(KnowledgeEvalSets.IN_CONTEXT), KnowledgeEvalSets.InContext.class))
                .isEqualTo(KnowledgeEvalSets.inContext(corpus));
        assertThat(Files.readString(dir.resolve(KnowledgeEvalSets.MANIFEST))).contains("\"seed\" : 42");
    }

    @Test
    void closedBookQuestionsCoverEveryFactOfEveryHeldOutPersonAndAskInTheTrainingFormat() {
        List<KnowledgeEvalSets.ClosedBook> items = KnowledgeEvalSets.closedBook(corpus, corpus.population().heldOut(), "cb");
        Map<String, Person> heldOut = corpus.population().heldOut().stream()
                .collect(Collectors.toMap(Person::fullName, p -> p));

        Set<String> covered = new HashSet<>();
        for (KnowledgeEvalSets.ClosedBook item : items) {
            Person person = heldOut.get(item.person());
            Attribute attribute = attributeOf(item.attribute());
            assertThat(person).isNotNull();
            assertThat(item.answer()).isEqualTo(person.value(attribute));
            assertThat(item.prompt()).isEqualTo("Q: " + item.question() + "\nA:");
            assertThat(item.question()).contains(person.fullName());
            covered.add(item.person() + "/" + item.attribute());
        }
        assertThat(covered).hasSize(30 * Attribute.values().length);
    }

    @Test
    void multipleChoiceHasFourDistinctChoicesOfTheSameKindWithTheAnswerAtGold() {
        Map<String, Person> heldOut = corpus.population().heldOut().stream()
                .collect(Collectors.toMap(Person::fullName, p -> p));
        Set<Integer> goldPositions = new HashSet<>();

        for (KnowledgeEvalSets.MultipleChoice item : KnowledgeEvalSets.multipleChoice(corpus)) {
            Attribute attribute = attributeOf(item.attribute());
            String answer = heldOut.get(item.person()).value(attribute);
            assertThat(item.choices()).hasSize(4).doesNotHaveDuplicates();
            assertThat(item.choices().get(item.gold())).isEqualTo(answer);
            for (int i = 0; i < 4; i++) {
                if (i != item.gold()) {
                    assertThat(item.choices().get(i)).isNotEqualTo(answer);
                    assertThat(sameKind(attribute, item.choices().get(i))).as(item.choices().get(i)).isTrue();
                }
            }
            goldPositions.add(item.gold());
        }
        assertThat(goldPositions).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void inContextItemsAskAboutAFactStatedInTheirPassageAboutAnUnseenPerson() {
        Set<String> evalPeople = corpus.population().readingEval().stream().map(Person::fullName).collect(Collectors.toSet());

        List<KnowledgeEvalSets.InContext> items = KnowledgeEvalSets.inContext(corpus);

        for (KnowledgeEvalSets.InContext item : items) {
            assertThat(evalPeople).contains(item.person());
            assertThat(item.passage()).startsWith(item.person()).contains(item.answer());
            assertThat(item.prompt()).isEqualTo(item.passage() + "\nQ: " + item.question() + "\nA:");
        }
        assertThat(items.stream().map(KnowledgeEvalSets.InContext::attribute).distinct()).hasSize(Attribute.values().length);
    }

    @Test
    void datesCarryTheirOtherSpellingsAsAliases() {
        KnowledgeEvalSets.ClosedBook date = KnowledgeEvalSets.closedBook(corpus, corpus.population().heldOut(), "cb")
                .stream().filter(i -> i.attribute().equals("birth_date")).findFirst().orElseThrow();
        java.time.LocalDate birth = corpus.population().heldOut().getFirst().birthDate();

        assertThat(date.aliases()).contains(birth.toString());
    }

    private boolean sameKind(Attribute attribute, String value) {
        KnowledgePools pools = corpus.pools();
        return switch (attribute) {
            case BIRTH_DATE -> value.matches("[A-Z][a-z]+ \\d{1,2}, \\d{4}");
            case BIRTH_CITY -> pools.cities().contains(value);
            case UNIVERSITY -> pools.universities().contains(value);
            case FIELD -> pools.fields().contains(value);
            case EMPLOYER -> pools.employers().stream().anyMatch(e -> e.name().equals(value));
            case WORK_CITY -> pools.employers().stream().anyMatch(e -> e.city().equals(value));
        };
    }

    private static Attribute attributeOf(String key) {
        for (Attribute attribute : Attribute.values()) {
            if (attribute.key().equals(key)) {
                return attribute;
            }
        }
        throw new AssertionError("unknown attribute " + key);
    }
}
