package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast forward against the double-precision scalar reference, for every family and layout variant. */
class DecoderForwardTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        // llama3 rope with a short original context, so all three frequency bands occur within 40 positions.
        Map<String, Object> llama3 = Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 16);
        return Stream.of(
                Arguments.of("llama GQA untied, llama3 rope", Family.LLAMA,
                        TestModels.options().config("rope_scaling", llama3).config("rope_theta", 1000.0)),
                Arguments.of("llama MHA tied", Family.LLAMA, TestModels.options().kvHeads(4).tied(true)),
                Arguments.of("llama bf16 sharded, odd sizes", Family.LLAMA, TestModels.options().hidden(36).heads(3)
                        .kvHeads(1).intermediate(50).vocab(301).dtype(DType.BF16).sharded(true)),
                Arguments.of("mistral one kv head", Family.MISTRAL, TestModels.options().kvHeads(1)),
                Arguments.of("qwen2 with q/k/v biases, tied", Family.QWEN2, TestModels.options().tied(true)),
                Arguments.of("qwen3 q/k norm, head_dim 24 != hidden/heads", Family.QWEN3,
                        TestModels.options().headDim(24)),
                Arguments.of("qwen3 MHA, 3 layers", Family.QWEN3, TestModels.options().kvHeads(4).layers(3)),
                Arguments.of("mixtral 4 experts top 2", Family.MIXTRAL, TestModels.options()),
                Arguments.of("mixtral 5 experts top 1, odd sizes", Family.MIXTRAL, TestModels.options().hidden(36)
                        .heads(3).kvHeads(1).intermediate(50).experts(5).expertsPerToken(1)),
                Arguments.of("qwen2-moe with shared expert, top-k not renormalised", Family.QWEN2_MOE,
                        TestModels.options()),
                Arguments.of("qwen2-moe renormalised, all experts chosen", Family.QWEN2_MOE,
                        TestModels.options().experts(3).expertsPerToken(3).config("norm_topk_prob", true)),
                Arguments.of("qwen2-moe without shared expert, every 2nd layer sparse, layer 3 dense", Family.QWEN2_MOE,
                        TestModels.options().layers(4).sharedExpertIntermediate(0).config("decoder_sparse_step", 2)
                                .config("mlp_only_layers", List.of(3))),
                Arguments.of("qwen3-moe q/k norm, renormalised top 3 of 6", Family.QWEN3_MOE,
                        TestModels.options().experts(6).expertsPerToken(3).expertIntermediate(20)),
                Arguments.of("qwen3-moe not renormalised, bf16", Family.QWEN3_MOE,
                        TestModels.options().dtype(DType.BF16).config("norm_topk_prob", false)),
                Arguments.of("olmoe whole-projection q/k norm, top 2 of 4", Family.OLMOE, TestModels.options()),
                Arguments.of("olmoe renormalised, MHA, tied", Family.OLMOE,
                        TestModels.options().kvHeads(4).tied(true).config("norm_topk_prob", true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void logitsMatchTheScalarReference(String name, Family family, TestModels.Options options) throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, family, 11, options);
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        int[] tokens = randomTokens(40, decoder.vocabSize(), 5);

        float[] logits = decoder.logits(tokens);

        assertThat(Logits.relativeError(logits, 0, reference.logits(tokens))).isLessThan(TOLERANCE);
    }

    @Test
    void sequencesOfDifferentLengthsInOneBatchEachMatchTheReference() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.QWEN2, 3, TestModels.options());
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        List<int[]> batch = List.of(randomTokens(17, 320, 1), randomTokens(1, 320, 2), randomTokens(33, 320, 3));

        List<float[]> logits = decoder.logits(batch);

        for (int s = 0; s < batch.size(); s++) {
            assertThat(Logits.relativeError(logits.get(s), 0, reference.logits(batch.get(s)))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void lastLogitsAreTheLastRowOfEachSequence() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.LLAMA, 4, TestModels.options());
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        List<int[]> batch = List.of(randomTokens(9, 320, 1), randomTokens(4, 320, 2));

        List<float[]> last = decoder.lastLogits(Batch.of(batch), ForwardState.forInference());

        for (int s = 0; s < batch.size(); s++) {
            double[][] expected = reference.logits(batch.get(s));
            assertThat(Logits.relativeError(last.get(s), 0, new double[][] {expected[expected.length - 1]}))
                    .isLessThan(TOLERANCE);
        }
    }

    @Test
    void aModelWithoutSomeBlocksMatchesTheReferenceSkippingThem() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.MISTRAL, 6, TestModels.options().layers(4));
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        int[] tokens = randomTokens(12, 320, 9);

        Decoder pruned = decoder.withoutBlocks(List.of(1, 2));

        assertThat(pruned.blocks()).extracting(DecoderBlock::name).containsExactly("model.layers.0", "model.layers.3");
        assertThat(Logits.relativeError(pruned.logits(tokens), 0, ScalarDecoder.load(dir).logits(tokens, Set.of(1, 2))))
                .isLessThan(TOLERANCE);
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedWithItsId() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.LLAMA, 1, TestModels.options());
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);

        assertThatThrownBy(() -> decoder.logits(new int[] {5, 320})).hasMessageContaining("320");
    }

    static int[] randomTokens(int count, int vocab, long seed) {
        return new Random(seed).ints(count, 0, vocab).toArray();
    }
}
