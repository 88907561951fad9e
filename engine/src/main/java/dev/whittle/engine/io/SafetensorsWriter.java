package dev.whittle.engine.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.whittle.engine.Progress;
import dev.whittle.engine.tensor.Convert;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes safetensors files as Hugging Face does: header JSON padded with spaces to a multiple of 8 bytes,
 * tensors laid out back to back in the order given, {@code __metadata__} with {@code "format": "pt"} (which
 * transformers requires when metadata is present). {@link #writeShards} splits a model at a size limit into
 * {@code model-0000i-of-0000n.safetensors} plus {@value Checkpoint#INDEX_FILE}, or writes a single
 * {@value Checkpoint#SINGLE_FILE} when everything fits, as {@code save_pretrained} does.
 */
public final class SafetensorsWriter {

    /** Shard size {@code save_pretrained} uses by default (5 GB). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private static final JsonMapper JSON = new JsonMapper();
    /** fp32 elements converted per write buffer. */
    private static final int CHUNK = 1 << 16;

    private SafetensorsWriter() {
    }

    /** Writes one file holding {@code tensors} with {@code metadata} (plus {@code format: pt} unless given). */
    public static void write(Path file, List<OutputTensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, Progress.NONE, new long[] {0, totalBytes(tensors)});
    }

    /**
     * Writes {@code tensors} into {@code dir} as one file or as shards of at most {@code maxShardBytes} of tensor
     * data each (a tensor larger than the limit gets a shard of its own). Reports bytes written to
     * {@code progress} and checks for cancellation between tensors. Returns the files written.
     */
    public static List<Path> writeShards(Path dir, List<OutputTensor> tensors, Map<String, String> metadata,
            long maxShardBytes, Progress progress) throws IOException {
        checkUniqueNames(tensors);
        List<List<OutputTensor>> shards = split(tensors, maxShardBytes);
        long[] done = {0, totalBytes(tensors)};
        if (shards.size() == 1) {
            Path file = dir.resolve(Checkpoint.SINGLE_FILE);
            write(file, shards.getFirst(), metadata, progress, done);
            return List.of(file);
        }
        List<Path> files = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            write(file, shards.get(i), metadata, progress, done);
            shards.get(i).forEach(t -> weightMap.put(t.name(), name));
            files.add(file);
        }
        ObjectNode index = JSON.createObjectNode();
        ObjectNode meta = index.putObject("metadata");
        meta.put("total_parameters", tensors.stream().mapToLong(OutputTensor::numel).sum());
        meta.put("total_size", done[1]);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Path indexFile = dir.resolve(Checkpoint.INDEX_FILE);
        JSON.writerWithDefaultPrettyPrinter().writeValue(indexFile.toFile(), index);
        files.add(indexFile);
        return files;
    }

    /** Groups tensors in order, starting a new shard whenever the next tensor would overflow the current one. */
    static List<List<OutputTensor>> split(List<OutputTensor> tensors, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("shard size limit must be positive, got " + maxShardBytes);
        }
        List<List<OutputTensor>> shards = new ArrayList<>();
        List<OutputTensor> current = new ArrayList<>();
        long size = 0;
        for (OutputTensor t : tensors) {
            if (!current.isEmpty() && size + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteSize();
        }
        shards.add(current);
        return shards;
    }

    private static long totalBytes(List<OutputTensor> tensors) {
        return tensors.stream().mapToLong(OutputTensor::byteSize).sum();
    }

    private static void checkUniqueNames(List<OutputTensor> tensors) {
        Set<String> seen = new HashSet<>();
        for (OutputTensor t : tensors) {
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' is given twice");
            }
        }
    }

    private static void write(Path file, List<OutputTensor> tensors, Map<String, String> metadata, Progress progress,
            long[] done) throws IOException {
        checkUniqueNames(tensors);
        byte[] header = header(tensors, metadata);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            for (OutputTensor t : tensors) {
                progress.checkCancelled();
                writeData(channel, file, t);
                done[0] += t.byteSize();
                progress.report("write", done[0], done[1], t.name());
            }
        }
    }

    /** The header JSON, padded with spaces so that the data section starts 8-byte aligned. */
    static byte[] header(List<OutputTensor> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        if (metadata != null) {
            meta.putAll(metadata);
        }
        ObjectNode metaNode = root.putObject(SafetensorsHeader.METADATA_KEY);
        meta.forEach(metaNode::put);
        long offset = 0;
        for (OutputTensor t : tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsName());
            var shape = entry.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            var offsets = entry.putArray("data_offsets");
            offsets.add(offset);
            offset += t.byteSize();
            offsets.add(offset);
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel channel, Path file, OutputTensor t) throws IOException {
        if (t.bytes() != null) {
            MemorySegment bytes = t.bytes().get();
            if (bytes.byteSize() != t.byteSize()) {
                throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' has " + bytes.byteSize()
                        + " bytes, its shape " + Arrays.toString(t.shape()) + " of " + t.dtype() + " needs " + t.byteSize());
            }
            for (long pos = 0; pos < bytes.byteSize(); pos += 1 << 24) {
                writeFully(channel, bytes.asSlice(pos, Math.min(1 << 24, bytes.byteSize() - pos)).asByteBuffer());
            }
            return;
        }
        float[] values = t.values().get();
        if (values.length != t.numel()) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' has " + values.length
                    + " values, its shape " + Arrays.toString(t.shape()) + " needs " + t.numel());
        }
        int width = t.dtype().byteSize();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK * width);
        MemorySegment seg = MemorySegment.ofBuffer(buffer);
        for (int start = 0; start < values.length; start += CHUNK) {
            int n = Math.min(CHUNK, values.length - start);
            switch (t.dtype()) {
                case F32 -> Convert.f32ToF32(values, start, seg, 0, n);
                case BF16 -> Convert.f32ToBf16(values, start, seg, 0, n);
                case F16 -> Convert.f32ToF16(values, start, seg, 0, n);
                default -> throw new IllegalStateException("unreachable: " + t.dtype());
            }
            buffer.clear().limit(n * width);
            writeFully(channel, buffer);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
