package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.Arithmetic;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.lab.corpus.ReferenceRecipe;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MoeCardSectionTest {

    @TempDir
    Path tmp;

    @Test
    void appendsTheArithmeticScoreAndTheRoutingOfTheFiveDomainsToTheCard() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.MIXTRAL, 3, TestModels.options().layers(1).experts(4).expertsPerToken(2));
        Files.writeString(dir.resolve(ReferenceExport.CARD), "# card\n");
        Path evalDir = tmp.resolve("eval");
        KnowledgeEvalSets.write(ReferenceRecipe.knowledge(), evalDir);

        MoeCardSection.append(dir, DecoderLoader.load(dir, Progress.NONE), evalDir, "Plain English. ".repeat(800),
                Progress.NONE);

        String card = Files.readString(dir.resolve(ReferenceExport.CARD));
        assertThat(card).startsWith("# card\n").contains("## Mixture of experts", "4 experts per sparse layer, 2 per token",
                "/ " + new Arithmetic().heldOut().size() + ")", "## Routing by domain", "| biographies |",
                "| closed-book questions |", "| reading passages |", "| natural English (WikiText-2) |", "| arithmetic |");
    }
}
