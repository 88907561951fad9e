package dev.whittle.worker.storage;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where model folders and data files may be, and where jobs work.
 *
 * @param modelRoots folders inside which model folders may be registered
 * @param dataRoots  folders inside which datasets may be registered
 * @param outputRoot where models written by jobs are placed (default: {@code outputs} in the first model root)
 * @param workDir    per-job working folders (partial outputs live here until a job succeeds)
 */
@ConfigurationProperties("whittle.storage")
public record StorageProperties(
        @DefaultValue("models") List<Path> modelRoots,
        @DefaultValue("datasets") List<Path> dataRoots,
        Path outputRoot,
        @DefaultValue("data/work") Path workDir) {

    public StorageProperties {
        if (modelRoots.isEmpty()) {
            throw new IllegalArgumentException("whittle.storage.model-roots must name at least one folder");
        }
        if (outputRoot == null) {
            outputRoot = modelRoots.getFirst().resolve("outputs");
        }
    }
}
