package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a safetensors file can be corrupt fails at open with a message naming the file and the tensor. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    /** A file whose 8-byte length field says {@code declaredLength}, then {@code header}, then {@code dataBytes} zeros. */
    private Path file(String name, long declaredLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json);
        Path path = dir.resolve(name);
        Files.write(path, b.array());
        return path;
    }

    private Path file(String name, String header, int dataBytes) throws IOException {
        return file(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static void assertRejected(Path path, String tensor, String problem) {
        assertThatThrownBy(() -> SafetensorsFile.open(path).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining(tensor == null ? "" : tensor)
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((ModelFormatException) e).file()).isEqualTo(path))
                .satisfies(e -> assertThat(((ModelFormatException) e).item()).isEqualTo(tensor));
    }

    @Test
    void aFileShorterThanTheLengthFieldIsRejected() throws IOException {
        Path path = dir.resolve("tiny.safetensors");
        Files.write(path, new byte[] {1, 2, 3});
        assertRejected(path, null, "too short");
    }

    @Test
    void aTruncatedHeaderIsRejected() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path path = file("truncated.safetensors", header.length() + 40, header, 0);
        assertRejected(path, null, "header length " + (header.length() + 40) + " is impossible");
    }

    @Test
    void aHeaderLengthBeyondTheFileOrTheCapIsRejectedWithoutAllocatingIt() throws IOException {
        assertRejected(file("huge.safetensors", Long.MAX_VALUE, "{}", 0), null, "is impossible");
        assertRejected(file("negative.safetensors", -8, "{}", 0), null, "is impossible");
        assertRejected(file("overcap.safetensors", SafetensorsFile.MAX_HEADER_BYTES + 1, "{}", 0), null, "limit");
    }

    @Test
    void aTensorNameHoldingNulIsRejected() throws IOException {
        assertRejected(file("nul.safetensors", "{\"w\\u0000x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "w?x", "NUL");
    }

    @Test
    void malformedJsonIsRejected() throws IOException {
        assertRejected(file("bad.safetensors", "{\"w\":{\"dtype\":\"F32\",", 0), null, "not well-formed JSON");
        assertRejected(file("array.safetensors", "[1, 2]", 0), null, "not a JSON object");
    }

    @Test
    void anythingButWhitespaceAfterTheHeaderObjectIsRejected() throws IOException {
        assertRejected(file("trailing.safetensors", "{} {}", 0), null, "not well-formed JSON");
        try (SafetensorsFile st = SafetensorsFile.open(file("padded.safetensors", "{}      ", 0))) {
            assertThat(st.tensors()).isEmpty();
        }
    }

    @Test
    void aFileWithOnlyMetadataOpensEmpty() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(file("meta-only.safetensors", "{\"__metadata__\":{\"a\":\"b\"}}", 0))) {
            assertThat(st.tensors()).isEmpty();
            assertThat(st.metadata()).containsEntry("a", "b");
        }
    }

    @Test
    void duplicateTensorNamesAreRejected() throws IOException {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertRejected(file("dup.safetensors", "{\"w\":" + entry + ",\"w\":" + entry + "}", 4), null, "Duplicate");
    }

    @Test
    void anUnknownDtypeIsRejectedNamingTheTensor() throws IOException {
        Path path = file("fp8.safetensors", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        assertRejected(path, "w", "unknown dtype 'F8_E4M3'");
    }

    @Test
    void aShapeThatDisagreesWithTheSpanIsRejected() throws IOException {
        Path path = file("span.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 16);
        assertRejected(path, "w", "needs 16 bytes but data_offsets [0, 12] span 12");
    }

    @Test
    void overlappingSpansAreRejected() throws IOException {
        Path path = file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24);
        assertRejected(path, "b", "overlap tensor a");
    }

    @Test
    void aSpanOutsideTheFileIsRejected() throws IOException {
        Path path = file("outside.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1000],\"data_offsets\":[0,1000]}}", 16);
        assertRejected(path, "w", "reach past the end of the data section (16 bytes)");
    }

    @Test
    void reversedOffsetsNegativeDimensionsAndMissingFieldsAreRejected() throws IOException {
        assertRejected(file("rev.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4),
                "w", "end before they begin");
        assertRejected(file("neg.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0),
                "w", "not a non-negative integer");
        assertRejected(file("noshape.safetensors", "{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,0]}}", 0),
                "w", "missing array field 'shape'");
        assertRejected(file("frac.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1),
                "w", "not a non-negative integer");
    }

    @Test
    void aShapeWhoseSizeOverflowsIsRejected() throws IOException {
        long big = 1L << 40;
        Path path = file("overflow.safetensors", "{\"w\":{\"dtype\":\"F64\",\"shape\":[" + big + "," + big
                + "],\"data_offsets\":[0,0]}}", 0);
        assertRejected(path, "w", "overflows");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        Path path = file("meta.safetensors", "{\"__metadata__\":{\"format\":1}}", 0);
        assertRejected(path, "__metadata__.format", "must be a string");
    }

    @Test
    void readingAsTheWrongKindOrAMissingTensorFailsNamingIt() throws IOException {
        Path path = dir.resolve("ok.safetensors");
        SafetensorsWriter.write(path, List.of(OutputTensor.of("w", DType.F32, new long[] {2}, new float[2])), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> st.longs("w")).hasMessageContaining("'w'").hasMessageContaining("not an integer");
            assertThatThrownBy(() -> st.floats("nope")).hasMessageContaining(path.toString()).hasMessageContaining("'nope'");
        }
    }

    @Test
    void aSegmentUsedAfterCloseFailsWithAnExceptionNotACrash() throws IOException {
        Path path = dir.resolve("closed.safetensors");
        SafetensorsWriter.write(path, List.of(OutputTensor.of("w", DType.F32, new long[] {2}, new float[] {1, 2})), Map.of());
        SafetensorsFile st = SafetensorsFile.open(path);
        var segment = st.segment("w");
        st.close();
        assertThatThrownBy(() -> segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
    }
}
