package dev.whittle.engine.io;

import java.nio.file.Path;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.engine.testing.FuzzContract;

/**
 * The safetensors header parser on arbitrary bytes and data sizes: a hostile file is refused with a
 * {@link ModelFormatException}, never another exception. Seeds in {@code SafetensorsHeaderFuzzTestInputs}.
 */
class SafetensorsHeaderFuzzTest {

    private static final Path FILE = Path.of("fuzz.safetensors");

    @FuzzTest(maxDuration = "5s")
    void anyHeaderIsParsedOrRefusedAsAModelFormatProblem(FuzzedDataProvider data) {
        long dataSize = data.consumeLong(0, 1L << 40);
        byte[] header = data.consumeRemainingAsBytes();
        FuzzContract.onlyThrows(() -> {
            SafetensorsHeader parsed = SafetensorsHeader.parse(FILE, header, dataSize);
            for (TensorInfo t : parsed.tensors().values()) {
                if (t.begin() < 0 || t.end() > dataSize || t.begin() > t.end()) {
                    throw new AssertionError("accepted a tensor outside the data section: " + t);
                }
            }
        }, List.of(ModelFormatException.class));
    }
}
