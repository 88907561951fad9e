package dev.whittle.persistence.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class StorableTextTest {

    record Sample(String output, List<String> aliases, Map<String, Double> scores) {
    }

    @Test
    void nulInGeneratedTextBecomesTheReplacementCharacterAndNothingElseChanges() {
        JsonNode tree = StorableText.json(new Sample("a\0b\0", List.of("\\u0000 is six characters", "\\\0"),
                Map.of("k\0", 0.5)));
        assertThat(tree.get("output").asString()).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(tree.get("aliases").get(0).asString()).isEqualTo("\\u0000 is six characters");
        assertThat(tree.get("aliases").get(1).asString()).isEqualTo("\\\uFFFD");
        assertThat(tree.get("scores").get("k\uFFFD").asDouble()).isEqualTo(0.5);
    }

    @Test
    void nulInTextBecomesTheReplacementCharacter() {
        assertThat(StorableText.of("field 'q\0' missing")).isEqualTo("field 'q\uFFFD' missing");
        assertThat(StorableText.of("plain")).isEqualTo("plain");
        assertThat(StorableText.of(null)).isNull();
    }
}
