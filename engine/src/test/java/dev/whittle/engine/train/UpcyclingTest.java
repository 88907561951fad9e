package dev.whittle.engine.train;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.MixtralConfigJson;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.ScalarDecoder;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Upcycled experts checked against the dense model they come from, computed by the scalar reference. */
class UpcyclingTest {

    private static final TestModels.Options DENSE = TestModels.options().layers(2).hidden(8).heads(2).kvHeads(1)
            .intermediate(12).vocab(TestTokenizers.MIN_VOCAB);

    @TempDir
    Path tmp;

    @Test
    void expertsAsWideAsTheDenseMlpGiveTheDenseModelsLogits() throws IOException {
        Path dense = tmp.resolve("dense");
        TestModels.write(dense, Family.LLAMA, 5, DENSE);
        Decoder moe = upcycle(dense, 12);

        ScalarDecoder reference = ScalarDecoder.load(dense);
        int[] tokens = {3, 17, 5, 9, 30, 2, 11};
        double[][] expected = reference.logits(tokens);
        float[] actual = moe.logits(tokens);
        int vocab = moe.vocabSize();
        for (int t = 0; t < tokens.length; t++) {
            for (int v = 0; v < vocab; v++) {
                assertThat((double) actual[t * vocab + v]).as("position %d token %d", t, v)
                        .isCloseTo(expected[t][v], within(1e-4));
            }
        }
    }

    @Test
    void theExpertsOfAGroupSplitTheDenseNeuronsAndTheirScaledOutputsAverageToTheDenseMlp() throws IOException {
        Path dense = tmp.resolve("dense");
        TestModels.write(dense, Family.LLAMA, 6, DENSE);
        Decoder moe = upcycle(dense, 6); // 4 experts of 6 from 12 neurons: two groups of two
        int hidden = DENSE.hidden();
        float[] x = new float[hidden];
        Random random = new Random(1);
        for (int i = 0; i < hidden; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (Checkpoint weights = Checkpoint.open(dense)) {
            for (int layer = 0; layer < DENSE.layers(); layer++) {
                double[] denseOut = swiGlu(weights, "model.layers." + layer + ".mlp.", x, hidden, 12);
                MoeFeedForward mlp = (MoeFeedForward) moe.blocks().get(layer).mlp();
                for (int group = 0; group < 2; group++) {
                    int[] seen = new int[12];
                    double[] mean = new double[hidden];
                    for (int e = 2 * group; e < 2 * group + 2; e++) {
                        for (int neuron : Upcycling.neurons(12, 6, layer, e, 2027)) {
                            seen[neuron]++;
                        }
                        float[] out = expert(mlp.experts().get(e), x);
                        for (int i = 0; i < hidden; i++) {
                            mean[i] += out[i] / 2.0;
                        }
                    }
                    assertThat(seen).as("layer %d group %d: every neuron once", layer, group).containsOnly(1);
                    for (int i = 0; i < hidden; i++) {
                        assertThat(mean[i]).isCloseTo(denseOut[i], within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void refusesExpertsWiderThanTheDenseMlpAndADenseTarget() throws IOException {
        Path dense = tmp.resolve("dense");
        ModelConfig config = TestModels.write(dense, Family.LLAMA, 7, DENSE);
        assertThatThrownBy(() -> upcycle(dense, 16)).hasMessageContaining("cannot be cut");
        try (Checkpoint weights = Checkpoint.open(dense)) {
            assertThatThrownBy(() -> Upcycling.decoder(weights, config, config, 1)).hasMessageContaining("from a dense");
        }
    }

    private static Decoder upcycle(Path dense, int expertIntermediate) throws IOException {
        ModelConfig denseConfig = ModelConfig.load(dense);
        ObjectNode json = denseConfig.json().deepCopy();
        json.put("intermediate_size", expertIntermediate);
        ModelConfig moe = ModelConfig.of(MixtralConfigJson.of(json, 4, 2, 0.01));
        try (Checkpoint weights = Checkpoint.open(dense)) {
            return Upcycling.decoder(weights, denseConfig, moe, 2027);
        }
    }

    private static float[] expert(SwiGluMlp expert, float[] x) {
        float[] out = new float[x.length];
        expert.forward(1, x, out, expert.newActivations(), ForwardHooks.NONE);
        return out;
    }

    /** down(silu(gate x) * up x) in double precision, straight from the checkpoint. */
    private static double[] swiGlu(Checkpoint weights, String prefix, float[] x, int hidden, int n) {
        float[] gate = weights.floats(prefix + "gate_proj.weight");
        float[] up = weights.floats(prefix + "up_proj.weight");
        float[] down = weights.floats(prefix + "down_proj.weight");
        double[] h = IntStream.range(0, n).mapToDouble(j -> {
            double g = 0, u = 0;
            for (int i = 0; i < hidden; i++) {
                g += gate[j * hidden + i] * x[i];
                u += up[j * hidden + i] * x[i];
            }
            return g / (1 + Math.exp(-g)) * u;
        }).toArray();
        double[] out = new double[hidden];
        for (int i = 0; i < hidden; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += down[i * n + j] * h[j];
            }
        }
        return out;
    }
}
