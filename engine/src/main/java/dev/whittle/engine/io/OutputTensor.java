package dev.whittle.engine.io;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tensor to be written: its name, stored dtype and shape, and where its values come from when the writer
 * reaches it, so a large model is produced one tensor at a time rather than held twice. Either fp32 values
 * ({@link #of}, narrowed to F16/BF16 with round-to-nearest-even) or raw little-endian bytes already in the
 * stored dtype ({@link #raw}: copies any dtype bit for bit, e.g. from a source checkpoint).
 */
public record OutputTensor(String name, DType dtype, long[] shape, Supplier<float[]> values,
        Supplier<MemorySegment> bytes) {

    public OutputTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if ((values == null) == (bytes == null)) {
            throw new IllegalArgumentException(name + ": give either float values or raw bytes");
        }
        if (values != null && dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException(name + ": float values can be stored as F32, F16 or BF16, not " + dtype);
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
        }
    }

    /** fp32 values produced when written, stored as {@code dtype} (F32, F16 or BF16). */
    public static OutputTensor of(String name, DType dtype, long[] shape, Supplier<float[]> values) {
        return new OutputTensor(name, dtype, shape, values, null);
    }

    /** fp32 values at hand, stored as {@code dtype} (F32, F16 or BF16). */
    public static OutputTensor of(String name, DType dtype, long[] shape, float[] values) {
        return of(name, dtype, shape, () -> values);
    }

    /** Bytes already encoded in {@code dtype} (little-endian), copied as they are. */
    public static OutputTensor raw(String name, DType dtype, long[] shape, Supplier<MemorySegment> bytes) {
        return new OutputTensor(name, dtype, shape, null, bytes);
    }

    /** A tensor of a source checkpoint, copied bit for bit. */
    public static OutputTensor copyOf(Checkpoint source, String name) {
        TensorInfo info = source.info(name);
        return raw(name, info.dtype(), info.shape(), () -> source.segment(name));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return TensorInfo.numel(shape);
    }

    /** Bytes this tensor takes in the file. */
    public long byteSize() {
        return Math.multiplyExact(numel(), dtype.byteSize());
    }
}
