package dev.whittle.worker.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelFile;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;

/**
 * Checks a registered model's files before they are served or loaded: the real path (every link followed, resolved
 * now, not at registration) must lie in the model roots or the output root, and the bytes must hash to the SHA-256
 * recorded at registration. A file swapped for a link, or rewritten, is refused. Hashes are remembered per real path,
 * size, modification time and file key, so a multi-gigabyte weight file fetched in ranges is hashed once, not per range.
 */
@Component
public class ModelFileIntegrity {

    private record Hashed(long size, FileTime modified, Object fileKey, String sha256) {
    }

    private final StorageRoots roots;
    private final Map<Path, Hashed> hashes = new ConcurrentHashMap<>();

    public ModelFileIntegrity(StorageRoots roots) {
        this.roots = roots;
    }

    /** The real path of {@code file} of {@code model}, checked; throws {@link ModelFileUnavailableException}. */
    public Path check(Model model, ModelFile file) {
        Path folder = Path.of(model.getPath());
        Path path = folder.resolve(file.name()).normalize();
        String what = "File '" + file.name() + "' of model " + model.getName();
        if (!path.startsWith(folder)) {
            throw new ModelFileUnavailableException(what + " lies outside its folder", false);
        }
        Path real;
        BasicFileAttributes attributes;
        try {
            real = path.toRealPath();
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ModelFileUnavailableException(what + " is no longer on disk", false);
        }
        if (!roots.holdsModelFile(real)) {
            throw new ModelFileUnavailableException(what + " now resolves to " + real
                    + ", outside the model roots; links may not leave them", false);
        }
        if (!attributes.isRegularFile()) {
            throw new ModelFileUnavailableException(what + " is no longer a regular file", false);
        }
        if (attributes.size() != file.bytes()) {
            throw new ModelFileUnavailableException(what + " changed since registration: " + attributes.size()
                    + " bytes, registered with " + file.bytes(), true);
        }
        String sha256 = sha256(real, attributes);
        if (!sha256.equals(file.sha256())) {
            throw new ModelFileUnavailableException(what + " changed since registration: SHA-256 " + sha256
                    + ", registered with " + file.sha256(), true);
        }
        return real;
    }

    /** Checks every file of {@code model} (before a job loads it). */
    public void checkAll(Model model) {
        for (ModelFile file : model.getFiles()) {
            check(model, file);
        }
    }

    private String sha256(Path real, BasicFileAttributes attributes) {
        Hashed known = hashes.get(real);
        if (known != null && known.size() == attributes.size() && known.modified().equals(attributes.lastModifiedTime())
                && java.util.Objects.equals(known.fileKey(), attributes.fileKey())) {
            return known.sha256();
        }
        String sha256 = hash(real);
        hashes.put(real, new Hashed(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey(), sha256));
        return sha256;
    }

    private static String hash(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelFileUnavailableException("Cannot read " + file.getFileName() + ": " + e.getMessage(), false);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
