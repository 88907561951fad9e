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

    @Test
    void anAbsentCacheIsRefusedWithTheCommandThatFetchesItAndNothingIsFetched() {
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("cache"));

        assertThatThrownBy(cache::requirePresent)
                .isInstanceOf(NaturalTextCache.Missing.class)
                .hasMessageContaining("scripts/fetch-corpus.sh " + dir.resolve("cache"));
        assertThat(dir.resolve("cache")).doesNotExist();
    }

    @Test
    void aCacheWithBothPackagesUnpackedIsPresent() throws IOException {
        NaturalTextCache cache = new NaturalTextCache(dir.resolve("cache"));
        Files.createDirectories(cache.brownDirectory());
        Files.writeString(cache.brownDirectory().resolve("package.json"), "{}");
        assertThat(cache.isPresent()).isFalse();

        Files.createDirectories(cache.nlpCorpusDirectory());
        Files.writeString(cache.nlpCorpusDirectory().resolve("package.json"), "{}");

        assertThat(cache.requirePresent()).isSameAs(cache);
    }
}
