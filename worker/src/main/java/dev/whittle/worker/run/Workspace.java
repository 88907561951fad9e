package dev.whittle.worker.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import dev.whittle.engine.io.Folders;

/**
 * A job's working folder: one sub-folder per stage and attempt for what the stage writes, and one per stage for
 * what a long stage resumes from (passed on from attempt to attempt). It outlives an
 * attempt (a job restarted on another worker finds the outputs of its completed stages, given shared storage)
 * and is removed when the job ends. Attempts never share a folder, so a stalled worker that has not yet
 * noticed it lost its lease cannot write into the folder of the attempt that replaced it.
 */
final class Workspace {

    private static final String WORK = "work-";
    private static final String ATTEMPT = "-attempt-";

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

    /**
     * The stage's work folder for this attempt (checkpoints of a long stage), created. What the latest earlier
     * attempt left in its work folder is moved here, so the stage resumes from it; the move also means a stalled
     * earlier attempt can no longer write into the folder this attempt reads. Unlike the stage folder it is not
     * cleared: resuming is its purpose.
     */
    Path prepareWork(int index, int attempt) {
        Path dir = root.resolve(WORK + index + ATTEMPT + attempt);
        try {
            if (!Files.isDirectory(dir) && Files.isDirectory(root)) {
                Path latest = null;
                int latestAttempt = -1;
                try (Stream<Path> earlier = Files.list(root)) {
                    for (Path p : earlier.filter(p -> p.getFileName().toString().startsWith(WORK + index + ATTEMPT)).toList()) {
                        int a = Integer.parseInt(p.getFileName().toString().substring((WORK + index + ATTEMPT).length()));
                        if (a < attempt && a > latestAttempt) {
                            latest = p;
                            latestAttempt = a;
                        }
                    }
                }
                if (latest != null) {
                    Files.move(latest, dir, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the work folder " + dir, e);
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
