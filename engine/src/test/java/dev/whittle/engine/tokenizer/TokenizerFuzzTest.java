package dev.whittle.engine.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.testing.FuzzContract;

/**
 * Loading a model folder's tokenizer.json and tokenizer_config.json from arbitrary text: a tokenizer that encodes,
 * or an {@link IOException} / {@link ModelFormatException}; never another exception.
 */
class TokenizerFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void anyTokenizerFolderLoadsOrIsRefused(FuzzedDataProvider data) throws IOException {
        String settings = data.consumeString(512);
        String tokenizer = data.consumeRemainingAsString();
        Path dir = Files.createTempDirectory("whittle-fuzz-tokenizer");
        try {
            Files.writeString(dir.resolve(Tokenizer.FILE_NAME), tokenizer);
            if (!settings.isEmpty()) {
                Files.writeString(dir.resolve("tokenizer_config.json"), settings);
            }
            FuzzContract.onlyThrows(() -> {
                try (Tokenizer t = Tokenizer.load(dir)) {
                    t.encode("fuzz", true);
                }
            }, List.of(IOException.class, ModelFormatException.class));
        } finally {
            Folders.deleteRecursively(dir);
        }
    }
}
