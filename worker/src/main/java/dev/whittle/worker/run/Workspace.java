package dev.whittle.worker.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A job's working folder: one sub-folder per stage for what the stage writes. It outlives an attempt (a job
 * restarted on another worker finds the outputs of its completed stages, given shared storage) and is removed
 * when the job ends.
 */
final class Workspace {

    private final Path root;

    Workspace(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The stage's folder, emptied: whatever an interrupted earlier run of the stage left is removed. */
    Path prepareStage(int index) {
        Path dir = stageDir(index);
        delete(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the stage folder " + dir, e);
        }
    }

    Path outputFolder(int index) {
        return stageDir(index).resolve("model");
    }

    void delete() {
        delete(root);
    }

    private Path stageDir(int index) {
        return root.resolve("stage-" + index);
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + dir, e);
        }
    }
}
