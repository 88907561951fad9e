package dev.whittle.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File-system chores on whole folders. */
public final class Folders {

    private Folders() {
    }

    /**
     * Removes {@code path} and everything below it, children before parents; quiet if it is already gone.
     * Symbolic links are removed, never followed.
     *
     * @throws UncheckedIOException naming {@code path} when something cannot be removed
     */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            List<Path> deepestFirst;
            try (Stream<Path> walk = Files.walk(path)) {
                deepestFirst = walk.sorted(Comparator.reverseOrder()).toList();
            }
            for (Path p : deepestFirst) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw new UncheckedIOException("Cannot remove " + path, cause);
        }
    }
}
