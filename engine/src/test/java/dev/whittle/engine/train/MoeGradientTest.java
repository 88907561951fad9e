package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ScalarDecoder;
import dev.whittle.engine.testing.Routing;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.train.data.TrainingBatch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Mixture-of-Experts backward (router softmax and top-k, the optional renormalisation, the gathered experts, the
 * shared expert and its gate) and the router losses, every parameter tensor, against central finite differences of
 * the loss computed by the double-precision {@link ScalarDecoder}: its own token-by-token routing, and the
 * load-balancing and z-losses computed here from its router logits as transformers writes them.
 */
class MoeGradientTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        TestModels.Options tiny = TestModels.options().layers(2).hidden(8).heads(2).kvHeads(1).intermediate(12)
                .experts(4).expertsPerToken(2).expertIntermediate(6).vocab(TestTokenizers.MIN_VOCAB);
        RouterLosses losses = new RouterLosses(0.3, 0.05);
        return Stream.of(
                Arguments.of("mixtral (renormalised top-2)", Family.MIXTRAL, tiny, RouterLosses.NONE),
                Arguments.of("mixtral with load balancing and z-loss", Family.MIXTRAL, tiny, losses),
                Arguments.of("mixtral top-3 tied, load balancing only", Family.MIXTRAL,
                        tiny.expertsPerToken(3).tied(true), new RouterLosses(0.5, 0)),
                Arguments.of("qwen3-moe unnormalised top-2", Family.QWEN3_MOE, tiny.config("norm_topk_prob", false),
                        RouterLosses.NONE),
                Arguments.of("qwen3-moe renormalised, both losses", Family.QWEN3_MOE,
                        tiny.config("norm_topk_prob", true), losses),
                Arguments.of("qwen2-moe shared expert, first layer dense", Family.QWEN2_MOE,
                        tiny.sharedExpertIntermediate(10).config("mlp_only_layers", List.of(0)), losses));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyParameterGradientMatchesFiniteDifferencesOfTheReference(String name, Family family,
                                                                      TestModels.Options options,
                                                                      RouterLosses losses) throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, family, 23, options);
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        TrainingBatch batch = DecoderGradientTest.batch(decoder.vocabSize(), 2, 6, new Random(name.hashCode()));
        int scored = batch.scoredTokens();
        int experts = decoder.config().moe().numExperts();
        int topK = decoder.config().moe().numExpertsPerToken();

        DecoderTraining training = new DecoderTraining(decoder, DecoderParameters.of(decoder), losses);
        training.parameters().zeroGrads();
        double loss = training.accumulateGradients(batch, 1f / scored) / scored;

        DoubleSupplier referenceLoss = () -> referenceLoss(reference, batch, losses, experts, topK);
        assertThat(loss).isCloseTo(referenceLoss.getAsDouble(), within(1e-5));
        if (losses.any()) {
            assertThat(loss).isGreaterThan(DecoderGradientTest.meanLoss(reference, batch) + 1e-3);
        }
        DecoderGradientTest.assertEveryParameterGradient(name, decoder, training, reference, batch, referenceLoss);
    }

    /** Mean cross-entropy plus the coefficients times the router losses over every (sparse layer, token) pair. */
    private static double referenceLoss(ScalarDecoder reference, TrainingBatch batch, RouterLosses losses,
                                        int experts, int topK) {
        List<double[]> routerLogits = new ArrayList<>();
        for (int s = 0; s < batch.sequences(); s++) {
            reference.logits(batch.sequence(s), routerLogits);
        }
        return DecoderGradientTest.meanLoss(reference, batch)
                + losses.loadBalancing() * loadBalancing(routerLogits, experts, topK)
                + losses.zLoss() * zLoss(routerLogits);
    }

    /**
     * transformers' {@code load_balancing_loss_func}: softmax, top-k one-hot mask, {@code tokens_per_expert} = mean
     * of the mask over pairs, {@code router_prob_per_expert} = mean probability, summed product times experts.
     */
    static double loadBalancing(List<double[]> routerLogits, int experts, int topK) {
        double[] routed = new double[experts];
        double[] probability = new double[experts];
        for (double[] logits : routerLogits) {
            double[] p = Routing.softmax(logits);
            for (int e : Routing.topK(p, topK)) {
                routed[e]++;
            }
            for (int e = 0; e < experts; e++) {
                probability[e] += p[e];
            }
        }
        double n = routerLogits.size();
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            sum += routed[e] / n * probability[e] / n;
        }
        return experts * sum;
    }

    /** ST-MoE's router z-loss: the mean squared log-partition of the router logits. */
    static double zLoss(List<double[]> routerLogits) {
        double sum = 0;
        for (double[] logits : routerLogits) {
            double z = 0;
            for (double l : logits) {
                z += Math.exp(l);
            }
            sum += Math.log(z) * Math.log(z);
        }
        return sum / routerLogits.size();
    }
}
