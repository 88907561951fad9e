package dev.whittle.engine.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import dev.whittle.engine.tensor.Convert;

/**
 * One safetensors file, memory-mapped read-only (any size: a {@link MemorySegment} is not limited to 2 GiB).
 * The header is validated when the file is opened (see {@link SafetensorsHeader}), so every later access is
 * in bounds. Closing unmaps the file; segments handed out earlier must not be used after that.
 *
 * <p>Format: an 8-byte little-endian header length N, N bytes of JSON header, then the data section that the
 * header's {@code data_offsets} index into.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The largest header accepted, as the reference implementation does (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final SafetensorsHeader header;
    private final Arena arena;
    private final MemorySegment data;
    private final long headerBytes;

    private SafetensorsFile(Path path, SafetensorsHeader header, long headerBytes, Arena arena, MemorySegment data) {
        this.path = path;
        this.header = header;
        this.headerBytes = headerBytes;
        this.arena = arena;
        this.data = data;
    }

    /** Opens, validates and maps {@code path}; throws {@link ModelFormatException} for a malformed file. */
    public static SafetensorsFile open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelFormatException(path, null, "file has " + size
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long n = lengthBytes.getLong(0);
            if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw new ModelFormatException(path, null, "header length " + Long.toUnsignedString(n)
                        + " is impossible for a file of " + size + " bytes (limit " + MAX_HEADER_BYTES + ")");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(channel, json, 8);
            long dataSize = size - 8 - n;
            SafetensorsHeader header = SafetensorsHeader.parse(path, json.array(), dataSize);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 8 + n, dataSize, arena);
                return new SafetensorsFile(path, header, 8 + n, arena, data);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new IOException(channel + ": unexpected end of file");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in the order their bytes appear in the file. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    /** The {@code __metadata__} strings (empty if the file has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /** The header entry of {@code name}; throws {@link IllegalArgumentException} naming the file if absent. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** Byte offset of the data section in the file (8 + header length). */
    public long dataOffset() {
        return headerBytes;
    }

    /** The whole mapped data section. */
    public MemorySegment data() {
        return data;
    }

    /** The tensor's bytes, as mapped (zero-copy, little-endian, not necessarily aligned). */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** The tensor widened (or, for F64, narrowed) to fp32; throws for non-floating dtypes. */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        int n = arrayLength(info);
        float[] out = new float[n];
        MemorySegment seg = segment(name);
        switch (info.dtype()) {
            case F32 -> Convert.f32ToF32(seg, 0, out, 0, n);
            case BF16 -> Convert.bf16ToF32(seg, 0, out, 0, n);
            case F16 -> Convert.f16ToF32(seg, 0, out, 0, n);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) seg.get(DOUBLE_LE, 8L * i);
                }
            }
            default -> throw new IllegalArgumentException(path + ": tensor '" + name + "' has dtype " + info.dtype()
                    + ", not a floating-point type; read it with longs() or ints()");
        }
        return out;
    }

    /** An integer tensor (I64, I32, I16, I8, U8, BOOL) as longs; U8 and BOOL are unsigned. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        int n = arrayLength(info);
        long[] out = new long[n];
        MemorySegment seg = segment(name);
        switch (info.dtype()) {
            case I64 -> MemorySegment.copy(seg, LONG_LE, 0, out, 0, n);
            case I32 -> { for (int i = 0; i < n; i++) { out[i] = seg.get(INT_LE, 4L * i); } }
            case I16 -> { for (int i = 0; i < n; i++) { out[i] = seg.get(SHORT_LE, 2L * i); } }
            case I8 -> { for (int i = 0; i < n; i++) { out[i] = seg.get(ValueLayout.JAVA_BYTE, i); } }
            case U8, BOOL -> { for (int i = 0; i < n; i++) { out[i] = seg.get(ValueLayout.JAVA_BYTE, i) & 0xFF; } }
            default -> throw new IllegalArgumentException(path + ": tensor '" + name + "' has dtype " + info.dtype()
                    + ", not an integer type; read it with floats()");
        }
        return out;
    }

    /** An integer tensor as ints; throws if a value (I64) does not fit. */
    public int[] ints(String name) {
        long[] wide = longs(name);
        int[] out = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            out[i] = Math.toIntExact(wide[i]);
        }
        return out;
    }

    /** A BOOL tensor as booleans (any non-zero byte is true). */
    public boolean[] booleans(String name) {
        TensorInfo info = info(name);
        if (info.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has dtype " + info.dtype() + ", not BOOL");
        }
        int n = arrayLength(info);
        MemorySegment seg = segment(name);
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = seg.get(ValueLayout.JAVA_BYTE, i) != 0;
        }
        return out;
    }

    private int arrayLength(TensorInfo info) {
        long n = info.numel();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(path + ": tensor '" + info.name() + "' has " + n
                    + " elements, more than a Java array holds; read it through segment()");
        }
        return (int) n;
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
