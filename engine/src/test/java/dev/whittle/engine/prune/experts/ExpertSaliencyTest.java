package dev.whittle.engine.prune.experts;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.testing.Routing;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * REAP, frequency and EAN against their formulas computed here in double precision: the router input each sparse
 * layer received (captured as the router's linear input), its own softmax and top-k, and each expert's SwiGLU output
 * from the weights with plain loops.
 */
class ExpertSaliencyTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        TestModels.Options eight = TestModels.options().experts(8).expertsPerToken(2);
        return Stream.of(Arguments.of("mixtral", Family.MIXTRAL, eight),
                Arguments.of("qwen3-moe without renormalisation", Family.QWEN3_MOE, eight.config("norm_topk_prob", false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void scoresMatchTheirDefinitionsOnCapturedRouterInputs(String name, Family family, TestModels.Options options)
            throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, family, 11, options);
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        Random random = new Random(4);
        List<int[]> sequences = List.of(random.ints(9, 0, decoder.vocabSize()).toArray(),
                random.ints(5, 0, decoder.vocabSize()).toArray());
        Map<String, MoeFeedForward> layers = new HashMap<>();
        for (var block : decoder.blocks()) {
            if (block.mlp() instanceof MoeFeedForward moe) {
                layers.put(moe.router().name(), moe);
            }
        }
        Map<String, List<double[]>> routerInputs = new HashMap<>();
        ForwardHooks capture = new ForwardHooks() {
            @Override
            public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
                if (layers.containsKey(linear)) {
                    for (int r = 0; r < rows; r++) {
                        double[] row = new double[cols];
                        for (int c = 0; c < cols; c++) {
                            row[c] = x[offset + r * cols + c];
                        }
                        routerInputs.computeIfAbsent(linear, k -> new ArrayList<>()).add(row);
                    }
                }
            }
        };
        ExpertSaliency saliency = new ExpertSaliency(8);
        for (int[] tokens : sequences) {
            decoder.forward(Batch.of(tokens), ForwardState.forInference(), capture);
            decoder.forward(Batch.of(tokens), ForwardState.forInference(), saliency);
        }

        assertThat(saliency.routers()).containsExactlyInAnyOrderElementsOf(layers.keySet());
        for (Map.Entry<String, MoeFeedForward> entry : layers.entrySet()) {
            MoeFeedForward moe = entry.getValue();
            double[] reap = new double[8];
            double[] ean = new double[8];
            double[] routed = new double[8];
            List<double[]> inputs = routerInputs.get(entry.getKey());
            for (double[] x : inputs) {
                double[] p = Routing.softmax(linear(moe.router(), x));
                int[] top = Routing.topK(p, 2);
                double sum = p[top[0]] + p[top[1]];
                for (int e : top) {
                    double norm = norm(swiGlu(moe.experts().get(e), x));
                    reap[e] += p[e] / sum * norm;
                    ean[e] += norm;
                    routed[e]++;
                }
            }
            for (int e = 0; e < 8; e++) {
                double expectedReap = routed[e] == 0 ? 0 : reap[e] / routed[e];
                assertThat(saliency.reap(entry.getKey())[e]).as("%s REAP %d", name, e)
                        .isCloseTo(expectedReap, within(1e-5 * (1 + expectedReap)));
                assertThat(saliency.ean(entry.getKey())[e]).as("%s EAN %d", name, e)
                        .isCloseTo(ean[e], within(1e-5 * (1 + ean[e])));
                assertThat(saliency.frequency(entry.getKey())[e]).as("%s frequency %d", name, e)
                        .isCloseTo(routed[e] / inputs.size(), within(1e-12));
            }
        }
    }

    private static double[] linear(Linear layer, double[] x) {
        double[] y = new double[layer.out()];
        for (int o = 0; o < layer.out(); o++) {
            for (int i = 0; i < layer.in(); i++) {
                y[o] += layer.weight()[o * layer.in() + i] * x[i];
            }
        }
        return y;
    }

    private static double[] swiGlu(SwiGluMlp mlp, double[] x) {
        double[] gate = linear(mlp.gate(), x);
        double[] up = linear(mlp.up(), x);
        for (int i = 0; i < gate.length; i++) {
            gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        return linear(mlp.down(), gate);
    }

    private static double norm(double[] y) {
        double s = 0;
        for (double v : y) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
