package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BrownExcerptTest {

    @TempDir
    Path dir;

    @Test
    void takesEveryFourthFileInNameOrderAsUntaggedParagraphs() throws IOException {
        String[] names = {"ca01", "ca02", "ca03", "ca04", "ca05", "cb01", "cb02", "cb03", "cb04", "cb05"};
        for (String name : names) {
            Files.writeString(dir.resolve(name), "\n\n\tIn/in " + name + "/np ./.\n\n\tBye/uh ./.\n");
        }
        Files.writeString(dir.resolve("README"), "not a corpus file");

        // Sorted: ca01 ca02 ca03 ca04 ca05 cb01 cb02 cb03 cb04 cb05, so indices 0, 4, 8.
        assertThat(BrownExcerpt.of(dir)).isEqualTo("In ca01.\n\nBye.\n\nIn ca05.\n\nBye.\n\nIn cb04.\n\nBye.\n");
    }
}
