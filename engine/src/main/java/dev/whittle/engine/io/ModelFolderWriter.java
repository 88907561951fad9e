package dev.whittle.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.ModelConfig;

/**
 * Writes a complete model folder (config.json, weights, the tokenizer files of a source folder) atomically:
 * everything goes into a hidden temporary sibling folder that is renamed to the final name only once complete,
 * so nothing half-written is ever visible under that name. On failure or cancellation the temporary folder is
 * removed. An existing target is never overwritten.
 *
 * <pre>{@code
 * ModelFolderWriter.to(target).config(config).copyFilesFrom(sourceDir).write(tensors);
 * }</pre>
 */
public final class ModelFolderWriter {

    /** Files of a model folder besides config and weights that describe how to use it, copied when present. */
    public static final List<String> COMPANION_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt",
            "added_tokens.json", "chat_template.jinja", "chat_template.json");

    private final Path target;
    private ModelConfig config;
    private Path companionSource;
    private long maxShardBytes = SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES;
    private Map<String, String> metadata = Map.of();
    private Progress progress = Progress.NONE;

    private ModelFolderWriter(Path target) {
        this.target = target.toAbsolutePath().normalize();
    }

    /** A writer for the folder {@code target}, which must not exist yet. */
    public static ModelFolderWriter to(Path target) {
        return new ModelFolderWriter(target);
    }

    /** The config.json to write (required). */
    public ModelFolderWriter config(ModelConfig config) {
        this.config = config;
        return this;
    }

    /** Copy {@link #COMPANION_FILES} (tokenizer and generation config) present in {@code sourceDir}. */
    public ModelFolderWriter copyFilesFrom(Path sourceDir) {
        this.companionSource = sourceDir;
        return this;
    }

    /** Shard weights above this many bytes (default 5 GB, as {@code save_pretrained}). */
    public ModelFolderWriter maxShardBytes(long maxShardBytes) {
        this.maxShardBytes = maxShardBytes;
        return this;
    }

    /** Extra {@code __metadata__} strings for every weight file. */
    public ModelFolderWriter metadata(Map<String, String> metadata) {
        this.metadata = Map.copyOf(metadata);
        return this;
    }

    /** Bytes written are reported here; cancellation is checked between tensors. */
    public ModelFolderWriter progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /** Writes the folder and returns its final path. */
    public Path write(List<OutputTensor> tensors) throws IOException {
        Objects.requireNonNull(config, "config");
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "model folder already exists");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path temp = parent.resolve("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectory(temp);
        try {
            config.write(temp.resolve(ModelConfig.FILE_NAME));
            copyCompanions(temp);
            SafetensorsWriter.writeShards(temp, tensors, metadata, maxShardBytes, progress);
            progress.checkCancelled();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target + ": cannot rename the finished folder into place atomically", e);
            }
            return target;
        } catch (IOException | RuntimeException | Error e) {
            try {
                Folders.deleteRecursively(temp);
            } catch (UncheckedIOException leftover) {
                // Best effort: the folder is hidden and named .partial-*, so a leftover is recognisable.
                e.addSuppressed(leftover);
            }
            throw e;
        }
    }

    private void copyCompanions(Path dir) throws IOException {
        if (companionSource == null) {
            return;
        }
        for (String name : COMPANION_FILES) {
            Path source = companionSource.resolve(name);
            if (Files.isRegularFile(source)) {
                Files.copy(source, dir.resolve(name));
            }
        }
    }
}
