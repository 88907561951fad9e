package dev.whittle.engine.model;

import java.nio.file.Path;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.testing.FuzzContract;

/**
 * config.json on arbitrary text: parsed into a config whose derived sizes can be read, or refused with a
 * {@link ModelFormatException} naming the field; never another exception.
 */
class ModelConfigFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void anyConfigIsParsedOrRefusedAsAModelFormatProblem(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        FuzzContract.onlyThrows(() -> {
            ModelConfig config = ModelConfig.parse(text, Path.of("config.json"));
            config.family();
            config.headDim();
            config.numAttentionHeads();
            CalibrationSampler.context(config);
            if (config.moe() != null) {
                config.moe().numExperts();
            }
        }, List.of(ModelFormatException.class));
    }
}
