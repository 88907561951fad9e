package dev.whittle.lab.cli;

import dev.whittle.engine.prune.NaturalEnglish;
import dev.whittle.lab.corpus.BrownExcerpt;
import dev.whittle.lab.corpus.NaturalTextCache;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code calibration-text}: rebuilds the engine's shipped {@code natural-english} calibration text from the fetched
 * Brown Corpus ({@link BrownExcerpt}); {@code sha256sum} of the result should match {@code calibration/SOURCES.md}.
 */
final class CalibrationTextCommand {

    static final Path DEFAULT_OUT = Path.of("engine/src/main/resources" + NaturalEnglish.RESOURCE);
    static final String USAGE = """
              calibration-text [--corpus-cache .cache/corpus] [--out %s]
                                                              rebuilds the shipped natural-english calibration text
            """.formatted(DEFAULT_OUT);
    static final Set<String> OPTIONS = Set.of("corpus-cache", "out");

    private final PrintStream out;

    CalibrationTextCommand(PrintStream out) {
        this.out = out;
    }

    void run(Arguments a) throws IOException {
        a.expectPositionals(0);
        NaturalTextCache cache = new NaturalTextCache(Path.of(a.option("corpus-cache",
                NaturalTextCache.DEFAULT_DIRECTORY.toString()))).requirePresent();
        Path target = Path.of(a.option("out", DEFAULT_OUT.toString()));
        byte[] text = BrownExcerpt.of(cache.brownDirectory()).getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.write(target, text);
        out.println(target + ": " + text.length + " bytes");
    }
}
