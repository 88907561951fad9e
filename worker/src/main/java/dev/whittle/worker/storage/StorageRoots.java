package dev.whittle.worker.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Confines user-supplied paths to the configured roots. A path is accepted only if it has no {@code ..}
 * segment, exists, and its real location (every link followed) lies inside one of the roots' real
 * locations, so neither {@code ..} nor a link pointing out of a root can reach other files.
 */
@Component
@EnableConfigurationProperties(StorageProperties.class)
public class StorageRoots {

    private final StorageProperties properties;
    private final List<Path> modelRoots;
    private final List<Path> dataRoots;
    private final Path realOutputRoot;

    public StorageRoots(StorageProperties properties) {
        this.properties = properties;
        this.modelRoots = properties.modelRoots().stream().map(StorageRoots::createReal).toList();
        this.dataRoots = properties.dataRoots().stream().map(StorageRoots::createReal).toList();
        this.realOutputRoot = createReal(properties.outputRoot());
        createReal(properties.workDir());
    }

    /** The model folder {@code requested} names (absolute, or relative to the first model root). */
    public Path modelFolder(String requested) {
        return confine(requested, modelRoots, Files::isDirectory, "a folder", "whittle.storage.model-roots");
    }

    /** The data file {@code requested} names (absolute, or relative to the first data root). */
    public Path dataFile(String requested) {
        return confine(requested, dataRoots, Files::isRegularFile, "a regular file", "whittle.storage.data-roots");
    }

    /** Whether the real path {@code real} (links already followed) lies in a model root or the output root. */
    public boolean holdsModelFile(Path real) {
        return real.startsWith(realOutputRoot) || modelRoots.stream().anyMatch(real::startsWith);
    }

    /** The model roots and the output root: where a model folder's files, links followed, may lie. */
    public List<Path> modelFileRoots() {
        return java.util.stream.Stream.concat(modelRoots.stream(), java.util.stream.Stream.of(realOutputRoot)).toList();
    }

    public List<Path> modelRoots() {
        return modelRoots;
    }

    public List<Path> dataRoots() {
        return dataRoots;
    }

    /** Where models written by jobs are placed. */
    public Path outputRoot() {
        return properties.outputRoot().toAbsolutePath().normalize();
    }

    /** The working folder of a job (not created). */
    public Path workspace(UUID jobId) {
        return workRoot().resolve(jobId.toString());
    }

    /** Where jobs' working folders are, one per job named by its id. */
    public Path workRoot() {
        return properties.workDir().toAbsolutePath().normalize();
    }

    private static Path confine(String requested, List<Path> roots, Predicate<Path> kind, String kindName,
                                String setting) {
        if (requested == null || requested.isBlank()) {
            throw new OutsideRootsException("no path given");
        }
        Path path;
        try {
            path = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new OutsideRootsException("'" + requested + "' is not a valid path: " + e.getReason());
        }
        for (Path segment : path) {
            if (segment.toString().equals("..")) {
                throw new OutsideRootsException("'" + requested + "' contains '..'; give a path inside " + describe(roots));
            }
        }
        Path absolute = path.isAbsolute() ? path : roots.getFirst().resolve(path);
        if (!Files.exists(absolute)) {
            throw new OutsideRootsException("'" + requested + "' does not exist (looked for " + absolute + ")");
        }
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (IOException e) {
            throw new OutsideRootsException("'" + requested + "' cannot be resolved: " + e.getMessage());
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new OutsideRootsException("'" + requested + "' resolves to " + real + ", which is outside "
                    + describe(roots) + " (configure " + setting + ")");
        }
        if (!kind.test(real)) {
            throw new OutsideRootsException("'" + requested + "' is not " + kindName);
        }
        return real;
    }

    private static String describe(List<Path> roots) {
        return roots.size() == 1 ? "the root " + roots.getFirst() : "the roots " + roots;
    }

    private static Path createReal(Path dir) {
        try {
            return Files.createDirectories(dir.toAbsolutePath().normalize()).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create storage folder " + dir, e);
        }
    }
}
