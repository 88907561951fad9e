package dev.whittle.lab.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchArgumentsTest {

    @Test
    void namesAndOptionsAreSeparatedInBothOptionForms() {
        BenchArguments arguments = BenchArguments.parse(List.of("train", "distill", "--steps", "2", "--shape=ref"));

        assertThat(arguments.names()).containsExactly("train", "distill");
        assertThat(arguments.intOption("steps", 3, 1)).isEqualTo(2);
        assertThat(arguments.option("shape", "ref,110m")).isEqualTo("ref");
        assertThat(arguments.intOption("tokens", 4096, 256)).as("absent: the fallback").isEqualTo(4096);
    }

    @Test
    void optionsNoChosenBenchmarkReadsAreRefusedByName() {
        BenchArguments arguments = BenchArguments.parse(List.of("gemm", "--steps", "2"));

        assertThatThrownBy(() -> arguments.expectOnly(Set.of())).hasMessageContaining("--steps");
        assertThatThrownBy(() -> arguments.expectOnly(Set.of("shape"))).hasMessageContaining("--steps")
                .hasMessageContaining("known: --shape");
    }

    @Test
    void malformedOptionsAreRefused() {
        assertThatThrownBy(() -> BenchArguments.parse(List.of("distill", "--steps"))).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchArguments.parse(List.of("--steps", "1", "--steps", "2")))
                .hasMessageContaining("twice");
        BenchArguments zero = BenchArguments.parse(List.of("--steps", "0"));
        assertThatThrownBy(() -> zero.intOption("steps", 3, 1)).hasMessageContaining(">= 1");
        BenchArguments word = BenchArguments.parse(List.of("--steps", "few"));
        assertThatThrownBy(() -> word.intOption("steps", 3, 1)).hasMessageContaining("'few'");
    }
}
