package dev.whittle.worker.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import dev.whittle.engine.io.Folders;

/**
 * A job's working folder: one sub-folder per stage and attempt for what the stage writes. It outlives an
 * attempt (a job restarted on another worker finds the outputs of its completed stages, given shared storage)
 * and is removed when the job ends. Attempts never share a folder, so a stalled worker that has not yet
 * noticed it lost its lease cannot write into the folder of the attempt that replaced it.
 */
final class Workspace {

    private final Path root;

    Workspace(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The stage's folder for this attempt, created; what interrupted earlier runs of the stage left is removed. */
    Path prepareStage(int index, int attempt) {
        Path dir = stageDir(index, attempt);
        try {
            if (Files.isDirectory(root)) {
                try (Stream<Path> earlier = Files.list(root)) {
                    for (Path p : earlier.filter(p -> p.getFileName().toString().startsWith("stage-" + index + "-")).toList()) {
                        Folders.deleteRecursively(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the stage folder " + dir, e);
        }
    }

    Path outputFolder(int index, int attempt) {
        return stageDir(index, attempt).resolve("model");
    }

    void delete() {
        Folders.deleteRecursively(root);
    }

    private Path stageDir(int index, int attempt) {
        return root.resolve("stage-" + index + "-attempt-" + attempt);
    }
}
