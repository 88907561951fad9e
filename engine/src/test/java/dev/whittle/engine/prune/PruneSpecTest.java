package dev.whittle.engine.prune;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a submitted request is checked for, each problem against its field. */
class PruneSpecTest {

    private static final ModelConfig LLAMA = ModelConfig.of(TestModels.configJson(Family.LLAMA,
            TestModels.options().layers(4).intermediate(92)));

    private static PruneSpec weights(String method, Double sparsity, String nm) {
        return new PruneSpec(method, sparsity, nm, null, null, null, null, null, null, null, null);
    }

    private static List<String> fields(PruneSpec spec) {
        return spec.problems(LLAMA).stream().map(PruneProblem::field).toList();
    }

    @Test
    void aValidRequestHasNoProblemsAndBecomesItsTypedMethod() {
        PruneSpec spec = weights("wanda", 0.5, null);
        assertThat(spec.problems(LLAMA)).isEmpty();
        assertThat(spec.toMethod()).isEqualTo(new PruneMethod.Wanda(0.5, null));
        assertThat(weights("SparseGPT", null, "2:4").toMethod())
                .isEqualTo(new PruneMethod.SparseGpt(0.5, new NmSparsity(2, 4), 128, 0.01));
        assertThat(new PruneSpec("block-removal", null, null, null, null, null, 2, "block-influence", null, null, null)
                .toMethod()).isEqualTo(new PruneMethod.BlockRemoval(2, BlockScoring.Metric.BLOCK_INFLUENCE,
                BlockScoring.Tokens.ALL));
    }

    @Test
    void sparsityOutsideZeroToOneIsRefused() {
        assertThat(fields(weights("magnitude", 1.0, null))).containsExactly("sparsity");
        assertThat(fields(weights("magnitude", -0.1, null))).containsExactly("sparsity");
        assertThat(fields(weights("magnitude", Double.NaN, null))).containsExactly("sparsity");
        assertThat(fields(weights("magnitude", null, null))).containsExactly("sparsity");
        assertThat(fields(weights("magnitude", 0.0, null))).isEmpty();
    }

    @Test
    void nmMustHaveNBelowMAndMatchAnyGivenSparsity() {
        assertThat(fields(weights("wanda", null, "4:4"))).containsExactly("nm");
        assertThat(fields(weights("wanda", null, "5:4"))).containsExactly("nm");
        assertThat(fields(weights("wanda", null, "two:four"))).containsExactly("nm");
        assertThat(fields(weights("wanda", 0.3, "2:4"))).containsExactly("sparsity");
        assertThat(fields(weights("wanda", 0.5, "2:4"))).isEmpty();
    }

    @Test
    void nmMustDivideTheInputsOfEveryChosenMatrix() {
        // intermediate 92 is not a multiple of 8: down_proj cannot be 4:8, the attention matrices can.
        assertThat(fields(weights("sparsegpt", null, "4:8"))).containsExactly("nm");
        PruneSpec attentionOnly = new PruneSpec("sparsegpt", null, "4:8", null, null, null, null, null, null,
                List.of("self_attn"), null);
        assertThat(attentionOnly.problems(LLAMA)).isEmpty();
    }

    @Test
    void nmWithBlockRemovalIsRefused() {
        PruneSpec spec = new PruneSpec("block-removal", null, "2:4", null, null, null, 1, null, null, null, null);
        assertThat(fields(spec)).containsExactly("nm");
    }

    @Test
    void removingAsManyBlocksAsTheModelHasOrMoreIsRefused() {
        for (int blocks : new int[] {4, 5, 0}) {
            PruneSpec spec = new PruneSpec("block-removal", null, null, null, null, null, blocks, null, null, null, null);
            assertThat(spec.problems(LLAMA)).singleElement().satisfies(p -> {
                assertThat(p.field()).isEqualTo("blocks");
                assertThat(p.message()).contains(blocks == 0 ? "at least 1" : "the model has 4 blocks");
            });
        }
        assertThat(fields(new PruneSpec("block-removal", null, null, null, null, null, null, null, null, null, null)))
                .containsExactly("blocks");
    }

    @Test
    void anUnknownMethodIsRefusedListingTheKnownOnes() {
        List<PruneProblem> problems = weights("lottery", 0.5, null).problems(LLAMA);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("method");
            assertThat(p.message()).contains("lottery").contains("magnitude, wanda, sparsegpt, block-removal");
        });
        assertThat(fields(weights(null, 0.5, null))).containsExactly("method");
    }

    @Test
    void aTensorPatternThatMatchesNothingIsRefused() {
        PruneSpec spec = new PruneSpec("wanda", 0.5, null, null, null, null, null, null, null, List.of("mlp", "lm_head"),
                List.of("nothing_like_this"));
        assertThat(spec.problems(LLAMA)).extracting(PruneProblem::field).containsExactly("include[1]");
        PruneSpec badExclude = new PruneSpec("wanda", 0.5, null, null, null, null, null, null, null, null,
                List.of("embed_tokens"));
        assertThat(fields(badExclude)).containsExactly("exclude[0]");
        PruneSpec everything = new PruneSpec("wanda", 0.5, null, null, null, null, null, null, null, null, List.of("."));
        assertThat(everything.problems(LLAMA)).singleElement().satisfies(p -> assertThat(p.message()).contains("no weight"));
        PruneSpec invalid = new PruneSpec("wanda", 0.5, null, null, null, null, null, null, null, List.of("(unclosed"), null);
        assertThat(fields(invalid)).containsExactly("include[0]");
    }

    @Test
    void aMixtureOfExpertsModelIsRefusedUntilItsExpertsCanBePruned() {
        ModelConfig mixtral = ModelConfig.of(TestModels.configJson(Family.MIXTRAL, TestModels.options()));
        assertThat(weights("sparsegpt", 0.5, null).problems(mixtral)).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("model");
            assertThat(p.message()).contains("MixtralForCausalLM").contains("experts of a Mixture-of-Experts");
        });
    }

    @Test
    void parametersOfAnotherMethodAreRefused() {
        assertThat(fields(new PruneSpec("wanda", 0.5, null, "global", 64, 0.1, 2, "block-influence", "last", null, null)))
                .containsExactlyInAnyOrder("scope", "blockSize", "dampening", "blocks", "metric", "tokens");
        assertThat(fields(new PruneSpec("magnitude", null, "2:4", "global", null, null, null, null, null, null, null)))
                .containsExactly("scope");
        assertThat(fields(new PruneSpec("sparsegpt", 0.5, null, null, 0, -1.0, null, null, null, null, null)))
                .containsExactlyInAnyOrder("blockSize", "dampening");
        assertThat(fields(new PruneSpec("block-removal", 0.5, null, null, null, null, 1, "cosine", "some", null, null)))
                .containsExactlyInAnyOrder("sparsity", "metric", "tokens");
    }

    @Test
    void theFieldsAloneCanBeCheckedWithoutTheModel() {
        PruneSpec spec = new PruneSpec("wanda", 1.5, null, null, null, null, null, null, null, List.of("(bad"),
                List.of("fine", "[worse"));
        assertThat(spec.problems()).extracting(PruneProblem::field).containsExactly("sparsity", "include[0]", "exclude[1]");
        // Patterns that merely match nothing need the model to tell.
        assertThat(new PruneSpec("wanda", 0.5, null, null, null, null, null, null, null, List.of("nothing"), null)
                .problems()).isEmpty();
    }

    @Test
    void toMethodThrowsWithEveryProblem() {
        assertThatThrownBy(() -> new PruneSpec("wanda", 2.0, null, "global", null, null, null, null, null, null, null)
                .toMethod()).isInstanceOf(PruneProblemException.class)
                .satisfies(e -> assertThat(((PruneProblemException) e).problems()).extracting(PruneProblem::field)
                        .containsExactlyInAnyOrder("scope", "sparsity"));
    }

    @Test
    void theCandidateTensorsAreTheLinearsTheLoaderBuilds() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("candidates").resolve("m");
        TestModels.write(dir, Family.QWEN2, 1);
        var decoder = dev.whittle.engine.model.DecoderLoader.load(dir, dev.whittle.engine.Progress.NONE);
        assertThat(TensorSelection.candidates(ModelConfig.load(dir)))
                .containsExactlyElementsOf(decoder.linears().stream().map(l -> l.name() + ".weight").toList());
    }
}
