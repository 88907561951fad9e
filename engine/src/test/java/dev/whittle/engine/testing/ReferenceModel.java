package dev.whittle.engine.testing;

import dev.whittle.engine.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the committed trained reference model (whittle-ref) is: {@code -Dwhittle.referenceModel} or
 * {@code WHITTLE_REFERENCE_MODEL}, else {@code reference/model}, {@code reference/whittle-ref} or
 * {@code models/whittle-ref} in the checkout.
 */
public final class ReferenceModel {

    private ReferenceModel() {
    }

    public static Optional<Path> find() {
        String configured = System.getProperty("whittle.referenceModel", System.getenv("WHITTLE_REFERENCE_MODEL"));
        List<Path> candidates = configured != null ? List.of(Path.of(configured)) : List.of(
                repositoryRoot().resolve("reference/model"), repositoryRoot().resolve("reference/whittle-ref"),
                repositoryRoot().resolve("models/whittle-ref"));
        return candidates.stream().filter(p -> Files.isRegularFile(p.resolve(ModelConfig.FILE_NAME))).findFirst();
    }

    /** The checkout: the nearest directory above the working directory with the {@code whittle} script. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("whittle")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return dir;
    }
}
