package dev.whittle.engine.merge;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ModelMergeTest {

    @TempDir
    Path tmp;

    private static final TestModels.Options TINY = TestModels.options().layers(2).hidden(8).heads(2).kvHeads(1)
            .intermediate(12).vocab(TestTokenizers.MIN_VOCAB);

    private Path model(String name, long seed, TestModels.Options options) throws IOException {
        Path dir = tmp.resolve(name);
        TestModels.write(dir, Family.LLAMA, seed, options);
        return dir;
    }

    @Test
    void aLinearMergeOfTwoFoldersIsTheirMeanInEveryTensorAndLoadsAsAModel() throws IOException {
        Path a = model("a", 1, TINY);
        Path b = model("b", 2, TINY);
        Path merged = ModelMerge.merge(List.of(a, b), null, new MergeMethod.Linear(List.of(1.0, 1.0)),
                tmp.resolve("merged"), Progress.NONE);
        assertThat(merged.resolve("tokenizer.json")).exists();
        try (Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b); Checkpoint cm = Checkpoint.open(merged)) {
            assertThat(cm.names()).isEqualTo(ca.names());
            for (String name : ca.names()) {
                float[] x = ca.floats(name);
                float[] y = cb.floats(name);
                float[] m = cm.floats(name);
                for (int i = 0; i < x.length; i++) {
                    // Stored in the source's dtype: equal up to its rounding.
                    assertThat(m[i]).as("%s[%d]", name, i).isCloseTo((x[i] + y[i]) / 2, within(1e-2f * Math.abs(x[i] + y[i]) + 1e-6f));
                }
            }
        }
    }

    @Test
    void anotherVocabularyIsRefusedNamingTheEmbedding() throws IOException {
        Path a = model("a", 1, TINY);
        Path b = model("b", 2, TINY.vocab(TestTokenizers.MIN_VOCAB + 5));
        assertThatThrownBy(() -> ModelMerge.merge(List.of(a, b), null, new MergeMethod.Slerp(0.5),
                tmp.resolve("merged"), Progress.NONE))
                .isInstanceOfSatisfying(MergeMismatch.class,
                        e -> assertThat(e.tensor()).isIn("lm_head.weight", "model.embed_tokens.weight"))
                .hasMessageContaining("264");
        assertThat(Files.exists(tmp.resolve("merged"))).isFalse();
    }

    @Test
    void anotherShapeIsRefusedNamingTheTensorAndTiesNeedsABase() throws IOException {
        Path a = model("a", 1, TINY);
        Path b = model("b", 2, TINY.intermediate(16));
        assertThatThrownBy(() -> ModelMerge.merge(List.of(a, b), a, new MergeMethod.Ties(0.5, List.of(1.0, 1.0)),
                tmp.resolve("merged"), Progress.NONE))
                .isInstanceOfSatisfying(MergeMismatch.class,
                        e -> assertThat(e.tensor()).isEqualTo("model.layers.0.mlp.down_proj.weight"));
        assertThatThrownBy(() -> ModelMerge.merge(List.of(a, a), null, new MergeMethod.Ties(0.5, List.of(1.0, 1.0)),
                tmp.resolve("merged"), Progress.NONE))
                .hasMessageContaining("base model");
    }
}
