package dev.whittle.lab.corpus;

import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KnowledgeCalibrationTest {

    @TempDir
    Path dir;

    @Test
    void theKnowledgeSetIsMadeOfflineFromTheReferenceBiographies() throws IOException {
        TestTokenizers.write(dir, 400, true);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            CalibrationWindows windows = new CalibrationSampler(List.of(new KnowledgeCalibration())).sample(tokenizer,
                    new CalibrationSource.BuiltIn(KnowledgeCalibration.NAME),
                    new Calibration(null, Calibration.BuiltInSet.KNOWLEDGE, null, 3, 64, 0L), 512);

            assertThat(windows.samples()).isEqualTo(3);
            assertThat(windows.source()).isEqualTo("built-in knowledge");
            assertThat(tokenizer.decode(windows.windows().getFirst())).containsAnyOf(" born", " degree", " works", " birth");
        }
    }

    @Test
    void itStopsOnceTheWindowsHaveTheCharactersTheyNeed() {
        String text = new KnowledgeCalibration().text(5_000);

        assertThat(text.length()).isBetween(4_900, 10_000);
        assertThat(new KnowledgeCalibration().text(5_000)).isEqualTo(text);
    }
}
