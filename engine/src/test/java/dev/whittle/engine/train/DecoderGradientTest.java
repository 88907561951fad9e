package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ScalarDecoder;
import dev.whittle.engine.testing.FiniteDifferences;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.ops.CrossEntropy;
import dev.whittle.engine.train.optim.Parameter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import static dev.whittle.engine.testing.FiniteDifferences.assertGradient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole decoder's backward, every parameter tensor of every dense family, against central finite
 * differences of the loss computed by the double-precision {@link ScalarDecoder} (written apart from the
 * fast path: its own config reading, plain loops for every equation).
 */
class DecoderGradientTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> families() {
        TestModels.Options tiny = TestModels.options().layers(2).hidden(8).heads(2).kvHeads(1).intermediate(12)
                .vocab(TestTokenizers.MIN_VOCAB);
        return Stream.of(
                Arguments.of("llama GQA untied", Family.LLAMA, tiny),
                Arguments.of("llama MHA tied", Family.LLAMA, tiny.kvHeads(2).tied(true)),
                Arguments.of("mistral untied", Family.MISTRAL, tiny),
                Arguments.of("mistral tied", Family.MISTRAL, tiny.tied(true)),
                Arguments.of("qwen2 q/k/v biases untied", Family.QWEN2, tiny),
                Arguments.of("qwen2 q/k/v biases tied", Family.QWEN2, tiny.tied(true)),
                Arguments.of("qwen3 q/k norm untied, head_dim 6", Family.QWEN3, tiny.headDim(6)),
                Arguments.of("qwen3 q/k norm tied", Family.QWEN3, tiny.tied(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void everyParameterGradientMatchesFiniteDifferencesOfTheReference(String name, Family family,
                                                                      TestModels.Options options) throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, family, 17, options);
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        TrainingBatch batch = batch(decoder.vocabSize(), 2, 6, new Random(name.hashCode()));
        int scored = batch.scoredTokens();

        DecoderTraining training = new DecoderTraining(decoder);
        training.parameters().zeroGrads();
        double loss = training.accumulateGradients(batch, 1f / scored) / scored;

        DoubleSupplier referenceLoss = () -> meanLoss(reference, batch);
        assertThat(loss).isCloseTo(referenceLoss.getAsDouble(), within(1e-5));
        assertEveryParameterGradient(name, decoder, training, reference, batch, referenceLoss);
    }

    /**
     * Each parameter's gradient in {@code training} (after one accumulation over {@code batch}) against central
     * differences of {@code referenceLoss} over the reference's copy of that tensor.
     */
    static void assertEveryParameterGradient(String name, Decoder decoder, DecoderTraining training,
                                             ScalarDecoder reference, TrainingBatch batch, DoubleSupplier referenceLoss) {
        Set<Integer> usedTokens = new HashSet<>();
        for (int token : batch.inputs()) {
            usedTokens.add(token);
        }
        Map<String, double[][]> weights = reference.weights();
        assertThat(weights.keySet()).containsExactlyInAnyOrderElementsOf(
                training.parameters().all().stream().map(Parameter::name).toList());
        for (Parameter p : training.parameters().all()) {
            double[][] rows = weights.get(p.name());
            int cols = rows[0].length;
            boolean embedding = p.name().equals("model.embed_tokens.weight");
            boolean tiedHead = embedding && DecoderParameters.isTied(decoder);
            double[] expected = new double[p.size()];
            for (int r = 0; r < rows.length; r++) {
                // An input embedding row of a token the batch does not contain has no influence: skip its
                // differences (they are exactly zero) unless the row is also the tied head, which every row feeds.
                if (embedding && !tiedHead && !usedTokens.contains(r)) {
                    continue;
                }
                System.arraycopy(FiniteDifferences.gradient(rows[r], referenceLoss), 0, expected, r * cols, cols);
            }
            assertGradient(name + ": " + p.name(), p.grad(), expected);
        }
    }

    /** Random tokens, every third target unscored (as prompt tokens are). */
    static TrainingBatch batch(int vocab, int sequences, int length, Random random) {
        int[] inputs = new int[sequences * length];
        int[] targets = new int[sequences * length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextInt(vocab);
            targets[i] = i % 3 == 1 ? CrossEntropy.IGNORE : random.nextInt(vocab);
        }
        return new TrainingBatch(sequences, length, inputs, targets);
    }

    /** Mean cross-entropy over the scored targets, from the reference's logits. */
    static double meanLoss(ScalarDecoder reference, TrainingBatch batch) {
        double sum = 0;
        int count = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            double[][] logits = reference.logits(batch.sequence(s));
            for (int t = 0; t < batch.length(); t++) {
                int target = batch.targets()[s * batch.length() + t];
                if (target == CrossEntropy.IGNORE) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double v : logits[t]) {
                    max = Math.max(max, v);
                }
                double z = 0;
                for (double v : logits[t]) {
                    z += Math.exp(v - max);
                }
                sum += max + Math.log(z) - logits[t][target];
                count++;
            }
        }
        return sum / count;
    }
}
