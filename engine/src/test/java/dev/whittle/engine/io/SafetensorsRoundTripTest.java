package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.whittle.engine.Progress;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    /** Random bit patterns of {@code dtype} (NaNs, infinities and subnormals included), widened to fp32. */
    private static float[] representable(DType dtype, int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (dtype) {
                case F32 -> Float.intBitsToFloat(random.nextInt());
                case BF16 -> Float.intBitsToFloat(random.nextInt() & 0xFFFF0000);
                case F16 -> Float.float16ToFloat((short) random.nextInt());
                default -> throw new IllegalArgumentException();
            };
        }
        return v;
    }

    private static List<OutputTensor> randomTensors(DType dtype, Random random) {
        List<OutputTensor> tensors = new ArrayList<>();
        long[][] shapes = {{7, 13}, {1}, {3, 1, 5}, {}, {0, 4}, {129}};
        for (int i = 0; i < shapes.length; i++) {
            int n = (int) TensorInfo.numel(shapes[i]);
            tensors.add(OutputTensor.of("t" + i, dtype, shapes[i], representable(dtype, n, random)));
        }
        return tensors;
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("element %d", i)
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void aFileWrittenAndReadBackIsBitIdentical(DType dtype) throws IOException {
        List<OutputTensor> tensors = randomTensors(dtype, new Random(1));
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("note", "hello"));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensors().keySet()).containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
            assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("note", "hello");
            for (OutputTensor t : tensors) {
                assertThat(st.info(t.name()).shape()).isEqualTo(t.shape());
                assertThat(st.info(t.name()).dtype()).isEqualTo(dtype);
                assertSameBits(t.values().get(), st.floats(t.name()));
            }
        }
    }

    @Test
    void theDataSectionStartsEightByteAlignedAfterSpacePadding() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.write(file, List.of(OutputTensor.of("abc", DType.F32, new long[] {3}, new float[3])), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        assertThat(bytes[(int) (8 + headerLength - 1)]).isIn((byte) ' ', (byte) '}');
        assertThat(bytes.length).isEqualTo(8 + headerLength + 12);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void aShardedCheckpointReadsBackBitIdenticalThroughItsIndex(DType dtype) throws IOException {
        List<OutputTensor> tensors = new ArrayList<>();
        Random random = new Random(2);
        for (int i = 0; i < 9; i++) {
            tensors.add(OutputTensor.of("layer." + i + ".weight", dtype, new long[] {10, 10},
                    representable(dtype, 100, random)));
        }
        long limit = 3L * 100 * dtype.byteSize();
        List<Path> files = SafetensorsWriter.writeShards(dir, tensors, Map.of(), limit, Progress.NONE);

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.files()).hasSize(3);
            assertThat(checkpoint.names()).hasSize(9);
            assertThat(checkpoint.metadata()).containsEntry("total_size", String.valueOf(9L * 100 * dtype.byteSize()));
            for (OutputTensor t : tensors) {
                assertSameBits(t.values().get(), checkpoint.floats(t.name()));
            }
        }
    }

    @Test
    void everythingWithinTheLimitIsWrittenAsOneModelSafetensors() throws IOException {
        List<Path> files = SafetensorsWriter.writeShards(dir,
                List.of(OutputTensor.of("a", DType.F32, new long[] {4}, new float[4])), Map.of(), 1 << 20, Progress.NONE);
        assertThat(files).containsExactly(dir.resolve("model.safetensors"));
        assertThat(dir.resolve("model.safetensors.index.json")).doesNotExist();
    }

    @Test
    void integerTensorsAreCopiedRawAndReadAsIntegers() throws IOException {
        long[] values = {-3, 0, 1L << 40};
        var bytes = java.lang.foreign.MemorySegment.ofArray(new byte[24]);
        for (int i = 0; i < 3; i++) {
            bytes.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8L * i, values[i]);
        }
        var u8 = java.lang.foreign.MemorySegment.ofArray(new byte[] {0, (byte) 255, 7});
        var bool = java.lang.foreign.MemorySegment.ofArray(new byte[] {1, 0});
        Path file = dir.resolve("ints.safetensors");
        SafetensorsWriter.write(file, List.of(
                OutputTensor.raw("ids", DType.I64, new long[] {3}, () -> bytes),
                OutputTensor.raw("bytes", DType.U8, new long[] {3}, () -> u8),
                OutputTensor.raw("mask", DType.BOOL, new long[] {2}, () -> bool)), Map.of());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.longs("ids")).containsExactly(values);
            assertThat(st.ints("bytes")).containsExactly(0, 255, 7);
            assertThat(st.booleans("mask")).containsExactly(true, false);
        }
    }
}
