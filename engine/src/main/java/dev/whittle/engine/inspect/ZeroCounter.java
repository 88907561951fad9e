package dev.whittle.engine.inspect;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.whittle.engine.io.DType;

/** Counts elements that are exactly zero (either sign for floats) in little-endian tensor bytes. */
final class ZeroCounter {

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Elements copied to the heap per step, so the counting loops run over plain arrays. */
    private static final int BLOCK = 1 << 14;

    private final long[] longs = new long[BLOCK];
    private final int[] ints = new int[BLOCK];
    private final short[] shorts = new short[BLOCK];
    private final byte[] bytes = new byte[BLOCK];

    /** Zeros among the whole elements of {@code data} (its size is a multiple of the dtype's size). */
    long count(MemorySegment data, DType dtype) {
        long n = data.byteSize() / dtype.byteSize();
        long zeros = 0;
        for (long start = 0; start < n; start += BLOCK) {
            int len = (int) Math.min(BLOCK, n - start);
            long offset = start * dtype.byteSize();
            zeros += switch (dtype) {
                case F64, I64 -> {
                    MemorySegment.copy(data, LONG_LE, offset, longs, 0, len);
                    long mask = dtype == DType.F64 ? Long.MAX_VALUE : -1L;
                    int c = 0;
                    for (int i = 0; i < len; i++) {
                        c += (longs[i] & mask) == 0 ? 1 : 0;
                    }
                    yield c;
                }
                case F32, I32 -> {
                    MemorySegment.copy(data, INT_LE, offset, ints, 0, len);
                    int mask = dtype == DType.F32 ? Integer.MAX_VALUE : -1;
                    int c = 0;
                    for (int i = 0; i < len; i++) {
                        c += (ints[i] & mask) == 0 ? 1 : 0;
                    }
                    yield c;
                }
                case F16, BF16, I16 -> {
                    MemorySegment.copy(data, SHORT_LE, offset, shorts, 0, len);
                    int mask = dtype == DType.I16 ? 0xFFFF : 0x7FFF;
                    int c = 0;
                    for (int i = 0; i < len; i++) {
                        c += (shorts[i] & mask) == 0 ? 1 : 0;
                    }
                    yield c;
                }
                case I8, U8, BOOL -> {
                    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, bytes, 0, len);
                    int c = 0;
                    for (int i = 0; i < len; i++) {
                        c += bytes[i] == 0 ? 1 : 0;
                    }
                    yield c;
                }
            };
        }
        return zeros;
    }
}
