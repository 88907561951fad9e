package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {

    @TempDir
    Path tmp;

    @Test
    void deleteRecursivelyRemovesAFolderWithNestedFilesAndFolders() throws IOException {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("top.txt"), "x");
        Files.writeString(root.resolve("a/b/c/deep.bin"), "y");

        Folders.deleteRecursively(root);

        assertThat(root).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void deleteRecursivelyOfAMissingPathDoesNothing() {
        assertThatCode(() -> Folders.deleteRecursively(tmp.resolve("never-made"))).doesNotThrowAnyException();
    }

    @Test
    void deleteRecursivelyRemovesALinkButNotWhatItPointsTo() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "kept");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("link"), outside);

        Folders.deleteRecursively(root);

        assertThat(root).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("kept");
    }
}
