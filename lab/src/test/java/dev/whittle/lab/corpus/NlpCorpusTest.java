package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NlpCorpusTest {

    @TempDir
    Path dir;

    @Test
    void readsTheBuildFilesInNumericOrder() throws IOException {
        Path builds = Files.createDirectories(dir.resolve("builds"));
        Files.writeString(builds.resolve("doc-10.json"), "[\"ten\"]");
        Files.writeString(builds.resolve("doc-2.json"), "[\"two\"]");
        Files.writeString(builds.resolve("doc-0.json"), "[\"zero\"]");
        Files.writeString(builds.resolve("notes.txt"), "not a build");

        assertThat(NlpCorpus.files(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("doc-0.json", "doc-2.json", "doc-10.json");
    }

    @Test
    void sentencesAreTrimmedWithBlankOnesDroppedAndUnicodeKept() throws IOException {
        Path file = dir.resolve("doc-0.json");
        Files.writeString(file, "[\"  First one.  \", \"\", \"   \", \":-)\\r\\nSecond, naïve — yes 🦊\"]");

        assertThat(NlpCorpus.sentences(file)).containsExactly("First one.", ":-)\nSecond, naïve — yes 🦊");
    }

    @Test
    void aFileThatIsNotAnArrayOfStringsIsAnErrorThatNamesIt() throws IOException {
        Path object = dir.resolve("doc-1.json");
        Files.writeString(object, "{\"sentences\": []}");
        Path numbers = dir.resolve("doc-2.json");
        Files.writeString(numbers, "[\"ok\", 3]");

        assertThatThrownBy(() -> NlpCorpus.sentences(object)).hasMessageContaining("doc-1.json");
        assertThatThrownBy(() -> NlpCorpus.sentences(numbers)).hasMessageContaining("doc-2.json element 1");
    }

    @Test
    void aPackageWithoutBuildsIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> NlpCorpus.files(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("builds/");
    }
}
