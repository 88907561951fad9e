package dev.whittle.engine.inspect;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.whittle.engine.io.DType;

/** Counts NaN and infinite elements (exponent bits all set) in little-endian float tensor bytes; integers have none. */
final class NonFiniteCounter {

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Non-finite elements among the whole elements of {@code data}. */
    long count(MemorySegment data, DType dtype) {
        long n = data.byteSize() / dtype.byteSize();
        long count = 0;
        for (long i = 0; i < n; i++) {
            long offset = i * dtype.byteSize();
            boolean nonFinite = switch (dtype) {
                case F64 -> (data.get(LONG_LE, offset) & 0x7FF0_0000_0000_0000L) == 0x7FF0_0000_0000_0000L;
                case F32 -> (data.get(INT_LE, offset) & 0x7F80_0000) == 0x7F80_0000;
                case F16 -> (data.get(SHORT_LE, offset) & 0x7C00) == 0x7C00;
                case BF16 -> (data.get(SHORT_LE, offset) & 0x7F80) == 0x7F80;
                default -> false;
            };
            if (nonFinite) {
                count++;
            }
        }
        return count;
    }
}
