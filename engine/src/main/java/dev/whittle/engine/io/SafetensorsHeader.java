package dev.whittle.engine.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parsed and validated JSON header of a safetensors file: tensors ordered by their position in the data
 * section, and the {@code __metadata__} strings. Every check happens here, before any byte of data is touched.
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";

    // Like the reference implementation: duplicate names and anything but whitespace after the object are errors.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Parses {@code json} (the header bytes) for a file whose data section is {@code dataSize} bytes long.
     * Throws {@link ModelFormatException} naming {@code file} and the tensor at fault.
     */
    static SafetensorsHeader parse(Path file, byte[] json, long dataSize) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new ModelFormatException(file, null, "header is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, null, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                readMetadata(file, entry.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, entry.getKey(), entry.getValue(), dataSize));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkNoOverlap(file, tensors);
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
        return new SafetensorsHeader(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new ModelFormatException(file, METADATA_KEY, "must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isString()) {
                throw new ModelFormatException(file, METADATA_KEY + "." + e.getKey(), "must be a string");
            }
            metadata.put(e.getKey(), e.getValue().stringValue());
        }
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node, long dataSize) {
        if (name.indexOf('\0') >= 0) {
            // A name every report, result and database row would carry; PostgreSQL cannot store NUL.
            throw new ModelFormatException(file, name.replace('\0', '?'), "tensor name holds the NUL character (\\u0000)");
        }
        if (!node.isObject()) {
            throw new ModelFormatException(file, name, "entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isString()) {
            throw new ModelFormatException(file, name, "missing string field 'dtype'");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeNode.stringValue());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, name, e.getMessage());
        }
        long[] shape = longs(file, name, node.get("shape"), "shape", -1);
        long[] offsets = longs(file, name, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new ModelFormatException(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataSize) {
            throw new ModelFormatException(file, name, "data_offsets [" + begin + ", " + end
                    + "] reach past the end of the data section (" + dataSize + " bytes)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, name, "shape " + java.util.Arrays.toString(shape) + " overflows");
        }
        if (bytes != end - begin) {
            throw new ModelFormatException(file, name, "shape " + java.util.Arrays.toString(shape) + " of " + dtype
                    + " needs " + bytes + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers; {@code length} -1 for any length. */
    private static long[] longs(Path file, String tensor, JsonNode node, String field, int length) {
        if (node == null || !node.isArray()) {
            throw new ModelFormatException(file, tensor, "missing array field '" + field + "'");
        }
        if (length >= 0 && node.size() != length) {
            throw new ModelFormatException(file, tensor, "'" + field + "' must have " + length + " entries");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new ModelFormatException(file, tensor, "'" + field + "' holds " + v + ", not a non-negative integer");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(Path file, List<TensorInfo> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new ModelFormatException(file, current.name(), "bytes [" + current.begin() + ", " + current.end()
                        + ") overlap tensor " + previous.name() + " [" + previous.begin() + ", " + previous.end() + ")");
            }
        }
    }
}
