package dev.whittle.engine.quant;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.io.TensorInfo;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tensor.Int4MatVec;
import tools.jackson.databind.JsonNode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compressed-tensors {@code pack-quantized} checkpoint, as vLLM and transformers read it: each quantized linear
 * {@code m} stores {@code m.weight_packed} (int32, {@link PackedInt32} along rows), {@code m.weight_scale}
 * ({@code [out x groups]}, the model's dtype), when asymmetric {@code m.weight_zero_point} (int32, packed down
 * columns) and {@code m.weight_shape} (int64 {@code [out, in]}) instead of {@code m.weight}; config.json gets a
 * {@code quantization_config} with one config group targeting {@code Linear}, the unquantized linears listed in
 * {@code ignore}. Reading dequantises to fp32, {@code (q - z) s}.
 */
public final class CompressedTensors {

    public static final String FORMAT = "pack-quantized";
    public static final String QUANT_METHOD = "compressed-tensors";

    private CompressedTensors() {
    }

    /** The tensors standing for the quantized weight of the linear {@code module}. */
    public static List<OutputTensor> tensors(String module, QuantizedMatrix m) {
        QuantizationScheme scheme = m.scheme();
        int bits = scheme.bits();
        int[] codes = new int[m.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = m.codes()[i];
        }
        int[] packed = PackedInt32.packRows(codes, m.rows(), m.cols(), bits);
        int words = packed.length / m.rows();
        List<OutputTensor> tensors = new ArrayList<>();
        tensors.add(ints(module + ".weight_packed", new long[] {m.rows(), words}, packed));
        tensors.add(OutputTensor.of(module + ".weight_scale", scheme.scaleDtype(), new long[] {m.rows(), m.groups()},
                m.scales()));
        if (!scheme.symmetric()) {
            int[] zeros = PackedInt32.packColumns(m.zeros(), m.rows(), m.groups(), bits);
            tensors.add(ints(module + ".weight_zero_point", new long[] {zeros.length / m.groups(), m.groups()}, zeros));
        }
        tensors.add(OutputTensor.raw(module + ".weight_shape", DType.I64, new long[] {2}, () -> {
            MemorySegment s = MemorySegment.ofArray(new byte[16]);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, m.rows());
            s.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8, m.cols());
            return s;
        }));
        return tensors;
    }

    /**
     * config.json's {@code quantization_config} for weights quantized by {@code scheme} ({@code actOrder}: GPTQ's
     * static activation order), the linears named in {@code ignore} left as they are.
     */
    public static Map<String, Object> quantizationConfig(QuantizationScheme scheme, boolean actOrder,
                                                         List<String> ignore) {
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("num_bits", scheme.bits());
        weights.put("type", "int");
        weights.put("symmetric", scheme.symmetric());
        boolean channel = scheme.groupSize() == QuantizationScheme.PER_CHANNEL;
        weights.put("strategy", channel ? "channel" : "group");
        weights.put("group_size", channel ? null : scheme.groupSize());
        weights.put("block_structure", null);
        weights.put("dynamic", false);
        weights.put("actorder", actOrder ? "static" : null);
        weights.put("observer", "minmax");
        weights.put("observer_kwargs", Map.of());
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("targets", List.of("Linear"));
        group.put("weights", weights);
        group.put("input_activations", null);
        group.put("output_activations", null);
        group.put("format", FORMAT);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("quant_method", QUANT_METHOD);
        config.put("format", FORMAT);
        config.put("quantization_status", "compressed");
        config.put("config_groups", Map.of("group_0", group));
        config.put("ignore", List.copyOf(ignore));
        config.put("kv_cache_scheme", null);
        config.put("global_compression_ratio", null);
        return config;
    }

    /** Whether {@code config} describes a pack-quantized checkpoint. */
    public static boolean isPackQuantized(ModelConfig config) {
        JsonNode q = config.get("quantization_config");
        return q != null && q.isObject() && q.get("format") != null && FORMAT.equals(q.get("format").stringValue());
    }

    /**
     * The weight {@code module.weight} of a pack-quantized checkpoint, dequantised, or null when the module was not
     * quantized (its {@code .weight} is stored as it is).
     */
    public static float[] dequantize(Checkpoint checkpoint, ModelConfig config, String module, long[] shape) {
        if (!checkpoint.contains(module + ".weight_packed")) {
            return null;
        }
        QuantizationScheme scheme = scheme(config, checkpoint, module);
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        long[] stored = longs(checkpoint, module + ".weight_shape");
        if (!Arrays.equals(stored, shape)) {
            throw new ModelFormatException(checkpoint.directory(), module + ".weight_shape", "shape "
                    + Arrays.toString(stored) + " does not match " + Arrays.toString(shape) + " implied by config.json");
        }
        int[] codes = PackedInt32.unpackRows(ints(checkpoint, module + ".weight_packed"), rows, cols, scheme.bits());
        int groups = scheme.groups(cols);
        float[] scales = checkpoint.floats(module + ".weight_scale");
        int[] zeros = scheme.symmetric() ? new int[rows * groups]
                : PackedInt32.unpackColumns(ints(checkpoint, module + ".weight_zero_point"), rows, groups, scheme.bits());
        byte[] small = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            small[i] = (byte) codes[i];
        }
        return new QuantizedMatrix(rows, cols, scheme, small, scales, zeros).dequantize();
    }

    /**
     * The weight of {@code module} in the form {@link Int4MatVec} multiplies, straight from the checkpoint's packed
     * words, when it is stored as symmetric int4 in whole words and groups; otherwise null (not quantized, another
     * width, zero points, or groups the kernel cannot take), and the layer decodes on its dequantised weights.
     */
    public static Int4MatVec.Matrix int4(Checkpoint checkpoint, ModelConfig config, String module, int rows,
                                         int cols) {
        if (!isPackQuantized(config) || !checkpoint.contains(module + ".weight_packed")) {
            return null;
        }
        QuantizationScheme scheme = scheme(config, checkpoint, module);
        int groupSize = scheme.groupWidth(cols);
        if (scheme.bits() != 4 || !scheme.symmetric() || cols % 8 != 0 || groupSize % 8 != 0 || cols % groupSize != 0) {
            return null;
        }
        // pack-quantized rows are the kernel's words: eight codes per int32, offset by 8, first code lowest
        return new Int4MatVec.Matrix(rows, cols, ints(checkpoint, module + ".weight_packed"),
                checkpoint.floats(module + ".weight_scale"), groupSize);
    }

    /** The weights' scheme of the (single) config group. */
    private static QuantizationScheme scheme(ModelConfig config, Checkpoint checkpoint, String module) {
        JsonNode groups = config.get("quantization_config").get("config_groups");
        if (groups == null || groups.size() != 1) {
            throw new ModelFormatException(config.source(), "quantization_config.config_groups",
                    "exactly one config group is supported");
        }
        JsonNode weights = groups.values().iterator().next().get("weights");
        boolean channel = "channel".equals(weights.get("strategy").stringValue());
        int groupSize = channel ? QuantizationScheme.PER_CHANNEL : weights.get("group_size").intValue();
        return new QuantizationScheme(weights.get("num_bits").intValue(), groupSize,
                weights.get("symmetric").booleanValue(), checkpoint.info(module + ".weight_scale").dtype());
    }

    private static OutputTensor ints(String name, long[] shape, int[] values) {
        return OutputTensor.raw(name, DType.I32, shape, () -> {
            MemorySegment s = MemorySegment.ofArray(new byte[values.length * 4]);
            for (int i = 0; i < values.length; i++) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
            }
            return s;
        });
    }

    private static int[] ints(Checkpoint checkpoint, String name) {
        TensorInfo info = checkpoint.info(name);
        if (info.dtype() != DType.I32) {
            throw new ModelFormatException(checkpoint.directory(), name, "is " + info.dtype() + ", not I32");
        }
        MemorySegment s = checkpoint.segment(name);
        int[] values = new int[Math.toIntExact(info.numel())];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4L * i);
        }
        return values;
    }

    private static long[] longs(Checkpoint checkpoint, String name) {
        TensorInfo info = checkpoint.info(name);
        MemorySegment s = checkpoint.segment(name);
        long[] values = new long[Math.toIntExact(info.numel())];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (info.dtype()) {
                case I64 -> s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8L * i);
                case I32 -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4L * i);
                default -> throw new ModelFormatException(checkpoint.directory(), name, "is " + info.dtype()
                        + ", not an integer type");
            };
        }
        return values;
    }
}
