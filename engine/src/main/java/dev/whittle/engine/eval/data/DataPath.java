package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a dataset's file or folder is: a file system path, or a built-in resource on the classpath (shown as
 * {@code builtin:<path>}). Built-in folders cannot be listed, so formats that read folders take the names of their
 * files from the task (MMLU's subjects).
 */
public sealed interface DataPath {

    /** The classpath folder that {@code builtin:} paths are relative to. */
    String BUILTIN_ROOT = "dev/whittle/engine/eval/data/";

    DataPath resolve(String child);

    /** The last name of the path. */
    String name();

    byte[] readAllBytes() throws IOException;

    /** The names in this folder, sorted. */
    List<String> list() throws IOException;

    boolean exists();

    /** The file's text as UTF-8, refusing bytes that are not (with the file named). */
    default String readText() throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(readAllBytes())).toString();
        } catch (CharacterCodingException e) {
            throw new DatasetException(this + ": not valid UTF-8 text", e);
        }
    }

    static DataPath of(Path path) {
        return new FilePath(path, null);
    }

    /** A file or folder that, every link followed, must lie inside {@code root} when it is read. */
    static DataPath confined(Path path, Path root) {
        return new FilePath(path, root);
    }

    static DataPath builtin(String relative) {
        return new BuiltinPath(relative);
    }

    /** @param root null, or the folder whose real location this path's real location must lie in at each read */
    record FilePath(Path path, Path root) implements DataPath {
        @Override
        public DataPath resolve(String child) {
            return new FilePath(path.resolve(child), root);
        }

        /** The real path (links followed), refused when it leaves the root: checked at each read, not once. */
        private Path real() throws IOException {
            if (root == null || !Files.exists(path)) {
                return path;
            }
            Path real = path.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new DatasetException(path + " resolves to " + real + ", outside " + root
                        + "; links may not leave it");
            }
            return real;
        }

        @Override
        public String name() {
            return path.getFileName().toString();
        }

        @Override
        public byte[] readAllBytes() throws IOException {
            Path real = real();
            if (!Files.isRegularFile(real)) {
                throw new NoSuchFileException(path.toString(), null, "no such dataset file");
            }
            return Files.readAllBytes(real);
        }

        @Override
        public List<String> list() throws IOException {
            Path real = real();
            if (!Files.isDirectory(real)) {
                throw new NoSuchFileException(path.toString(), null, "no such dataset folder");
            }
            try (Stream<Path> entries = Files.list(real)) {
                return entries.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }

        @Override
        public boolean exists() {
            return Files.exists(path);
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    record BuiltinPath(String relative) implements DataPath {
        @Override
        public DataPath resolve(String child) {
            return new BuiltinPath(relative.isEmpty() ? child : relative + "/" + child);
        }

        @Override
        public String name() {
            return relative.substring(relative.lastIndexOf('/') + 1);
        }

        @Override
        public byte[] readAllBytes() throws IOException {
            try (InputStream in = DataPath.class.getClassLoader().getResourceAsStream(BUILTIN_ROOT + relative)) {
                if (in == null) {
                    throw new NoSuchFileException(toString(), null, "no such built-in dataset file");
                }
                return in.readAllBytes();
            }
        }

        @Override
        public List<String> list() throws IOException {
            throw new IOException(this + ": built-in dataset folders cannot be listed; name the subsets in the task");
        }

        @Override
        public boolean exists() {
            return DataPath.class.getClassLoader().getResource(BUILTIN_ROOT + relative) != null;
        }

        @Override
        public String toString() {
            return "builtin:" + relative;
        }
    }
}
