package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mapping has no 2 GiB limit: a sparse file of ~2.5 GiB with a tensor at its far end reads correctly. */
class LargeFileTest {

    @TempDir
    Path dir;

    @Test
    void aTensorBeyondTwoGibibytesIsMappedAndRead() throws IOException {
        long bigBytes = 2_500_000_000L;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + bigBytes + "],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 12) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path path = dir.resolve("large.safetensors");
        long dataStart = 8 + json.length;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(dataStart + bigBytes + 12);
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            file.write(json);
            file.seek(dataStart + bigBytes);
            ByteBuffer tail = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
            file.write(tail.array());
            file.seek(dataStart + bigBytes - 1);
            file.write(0x7F);
        }

        try (SafetensorsFile st = SafetensorsFile.open(path)) {
            assertThat(st.segment("big").byteSize()).isEqualTo(bigBytes);
            assertThat(st.segment("big").get(java.lang.foreign.ValueLayout.JAVA_BYTE, bigBytes - 1)).isEqualTo((byte) 0x7F);
            assertThat(st.floats("tail")).containsExactly(1.5f, -2f, 3.25f);
        }
    }
}
