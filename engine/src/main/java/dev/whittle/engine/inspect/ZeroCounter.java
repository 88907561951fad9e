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
                    yield countZeros(longs, len, dtype == DType.F64 ? Long.MAX_VALUE : -1L);
                }
                case F32, I32 -> {
                    MemorySegment.copy(data, INT_LE, offset, ints, 0, len);
                    yield countZeros(ints, len, dtype == DType.F32 ? Integer.MAX_VALUE : -1);
                }
                case F16, BF16, I16 -> {
                    MemorySegment.copy(data, SHORT_LE, offset, shorts, 0, len);
                    yield countZeros(shorts, len, dtype == DType.I16 ? (short) -1 : (short) 0x7FFF);
                }
                case I8, U8, BOOL -> {
                    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, bytes, 0, len);
                    yield countZeros(bytes, len);
                }
            };
        }
        return zeros;
    }

    // One small method per element width, so each is compiled on its own (a float's sign bit is masked off,
    // so -0.0 counts as zero).
    private static int countZeros(long[] values, int len, long mask) {
        int c = 0;
        for (int i = 0; i < len; i++) {
            if ((values[i] & mask) == 0) {
                c++;
            }
        }
        return c;
    }

    private static int countZeros(int[] values, int len, int mask) {
        int c = 0;
        for (int i = 0; i < len; i++) {
            if ((values[i] & mask) == 0) {
                c++;
            }
        }
        return c;
    }

    private static int countZeros(short[] values, int len, short mask) {
        int c = 0;
        for (int i = 0; i < len; i++) {
            if ((values[i] & mask) == 0) {
                c++;
            }
        }
        return c;
    }

    private static int countZeros(byte[] values, int len) {
        int c = 0;
        for (int i = 0; i < len; i++) {
            if (values[i] == 0) {
                c++;
            }
        }
        return c;
    }
}
