package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceRecipeTest {

    /** Tests run in engine/; the committed evaluation sets are in the repository's reference/eval. */
    private static final Path COMMITTED = Path.of("..", "reference", "eval");

    @Test
    void committedEvaluationSetsAreExactlyWhatTheGeneratorWrites() throws IOException {
        KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
        assertThat(COMMITTED.resolve(KnowledgeEvalSets.CLOSED_BOOK))
                .as("regenerate with: ReferenceRecipe eval-sets reference/eval").exists();

        assertThat(KnowledgeEvalSets.read(COMMITTED.resolve(KnowledgeEvalSets.CLOSED_BOOK), KnowledgeEvalSets.ClosedBook.class))
                .isEqualTo(KnowledgeEvalSets.closedBook(corpus, corpus.population().heldOut(), "cb"));
        assertThat(KnowledgeEvalSets.read(COMMITTED.resolve(KnowledgeEvalSets.MULTIPLE_CHOICE), KnowledgeEvalSets.MultipleChoice.class))
                .isEqualTo(KnowledgeEvalSets.multipleChoice(corpus));
        assertThat(KnowledgeEvalSets.read(COMMITTED.resolve(KnowledgeEvalSets.IN_CONTEXT), KnowledgeEvalSets.InContext.class))
                .isEqualTo(KnowledgeEvalSets.inContext(corpus));
    }

    @Test
    void theReferenceCorpusHasTheSizesTheReadmeJustifies() {
        Population population = ReferenceRecipe.knowledge().population();

        assertThat(population.trained()).hasSize(200);
        assertThat(population.heldOut()).hasSize(200);
        assertThat(population.readingTrain()).hasSize(12_000);
        assertThat(population.readingEval()).hasSize(600);
        assertThat(Files.exists(COMMITTED.resolveSibling("README.md"))).isTrue();
    }
}
