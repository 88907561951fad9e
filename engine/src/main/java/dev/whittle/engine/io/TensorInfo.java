package dev.whittle.engine.io;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it: name, dtype, shape and its byte span {@code [begin, end)}
 * relative to the start of the file's data section (the header's {@code data_offsets}).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** Number of elements (1 for a scalar); throws {@link ArithmeticException} on overflow. */
    public long numel() {
        return numel(shape);
    }

    /** Bytes of the span in the file. */
    public long byteSize() {
        return end - begin;
    }

    /** Product of the dimensions; throws {@link ArithmeticException} on overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
