package dev.whittle.engine.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model folder's weights: one {@value #SINGLE_FILE}, or shards listed by {@value #INDEX_FILE}. Opening
 * validates every shard header and that the index and the shards agree (each listed file exists inside the
 * folder, each tensor is where the index says, no shard holds a tensor the index does not list).
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf;
    private final Map<String, String> metadata;

    private Checkpoint(Path directory, List<SafetensorsFile> files, Map<String, SafetensorsFile> fileOf,
            Map<String, String> metadata) {
        this.directory = directory;
        this.files = files;
        this.fileOf = fileOf;
        this.metadata = metadata;
    }

    /** True if {@code dir} holds weights this class can open. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(INDEX_FILE)) || Files.isRegularFile(dir.resolve(SINGLE_FILE));
    }

    /** Opens the weights of model folder {@code dir} (or a single {@code .safetensors} file). */
    public static Checkpoint open(Path dir) throws IOException {
        if (Files.isRegularFile(dir) && dir.getFileName().toString().endsWith(".safetensors")) {
            return single(dir.toAbsolutePath().getParent(), dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a model folder (no such directory)");
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return sharded(dir, index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return single(dir, single);
        }
        throw new IOException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " in the model folder");
    }

    private static Checkpoint single(Path dir, Path file) throws IOException {
        SafetensorsFile st = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        st.tensors().keySet().forEach(name -> fileOf.put(name, st));
        return new Checkpoint(dir, List.of(st), Collections.unmodifiableMap(fileOf), st.metadata());
    }

    private static Checkpoint sharded(Path dir, Path index) throws IOException {
        ShardIndex shardIndex = ShardIndex.read(index);
        Path root = dir.toAbsolutePath().normalize();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byFileName = new LinkedHashMap<>();
            for (String fileName : shardIndex.fileNames()) {
                Path shard = root.resolve(fileName).normalize();
                if (!shard.getParent().equals(root)) {
                    throw new ModelFormatException(index, fileName, "shard must be a file name inside the model folder");
                }
                if (!Files.isRegularFile(shard)) {
                    throw new ModelFormatException(index, fileName, "listed shard does not exist");
                }
                SafetensorsFile st = SafetensorsFile.open(shard);
                opened.add(st);
                byFileName.put(fileName, st);
            }
            Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : shardIndex.weightMap().entrySet()) {
                SafetensorsFile st = byFileName.get(e.getValue());
                if (!st.contains(e.getKey())) {
                    throw new ModelFormatException(index, e.getKey(), "listed in shard " + e.getValue()
                            + " but that shard has no such tensor");
                }
            }
            for (SafetensorsFile st : opened) {
                for (String name : st.tensors().keySet()) {
                    String listed = shardIndex.weightMap().get(name);
                    if (!st.path().getFileName().toString().equals(listed)) {
                        throw new ModelFormatException(st.path(), name, listed == null
                                ? "tensor is not listed in " + INDEX_FILE
                                : "tensor is listed in " + INDEX_FILE + " under shard " + listed);
                    }
                    fileOf.put(name, st);
                }
            }
            return new Checkpoint(dir, List.copyOf(opened), Collections.unmodifiableMap(fileOf), shardIndex.metadata());
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The folder this checkpoint was opened from. */
    public Path directory() {
        return directory;
    }

    /** Tensor names, shard by shard in file order. */
    public Set<String> names() {
        return fileOf.keySet();
    }

    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The shard holding {@code name}. */
    public SafetensorsFile file(String name) {
        SafetensorsFile st = fileOf.get(name);
        if (st == null) {
            throw new IllegalArgumentException(directory + ": checkpoint has no tensor named '" + name + "'");
        }
        return st;
    }

    public float[] floats(String name) {
        return file(name).floats(name);
    }

    public MemorySegment segment(String name) {
        return file(name).segment(name);
    }

    /** The safetensors files, in shard order. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** The index's {@code metadata}, or for a single file its {@code __metadata__}. Values as strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Total bytes of all tensors. */
    public long totalBytes() {
        return fileOf.keySet().stream().mapToLong(n -> info(n).byteSize()).sum();
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    /** The parsed {@value #INDEX_FILE}: tensor name to shard file name. */
    record ShardIndex(Map<String, String> weightMap, Map<String, String> metadata) {

        private static final JsonMapper JSON = new JsonMapper();

        /** Shard names in order (HF's zero-padded {@code model-0000i-of-0000n} names sort as numbered). */
        List<String> fileNames() {
            return weightMap.values().stream().distinct().sorted().toList();
        }

        static ShardIndex read(Path index) throws IOException {
            JsonNode root;
            try {
                root = JSON.readTree(Files.readAllBytes(index));
            } catch (JacksonException e) {
                throw new ModelFormatException(index, null, "not well-formed JSON: " + e.getOriginalMessage(), e);
            }
            JsonNode weightMap = root == null ? null : root.get("weight_map");
            if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
                throw new ModelFormatException(index, "weight_map", "missing or empty object");
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
                if (!e.getValue().isString()) {
                    throw new ModelFormatException(index, e.getKey(), "shard must be a file name string");
                }
                map.put(e.getKey(), e.getValue().stringValue());
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            JsonNode meta = root.get("metadata");
            if (meta != null && meta.isObject()) {
                for (Map.Entry<String, JsonNode> e : meta.properties()) {
                    metadata.put(e.getKey(), e.getValue().isString() ? e.getValue().stringValue() : e.getValue().toString());
                }
            }
            return new ShardIndex(Collections.unmodifiableMap(map), Collections.unmodifiableMap(metadata));
        }
    }
}
