package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ScalarDecoder;
import dev.whittle.engine.testing.Routing;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Routing shares against the top-k of the double-precision {@link ScalarDecoder}'s router logits. */
class RoutingStatisticsTest {

    @TempDir
    Path tmp;

    @Test
    void eachDomainsSharesAreTheFractionsOfItsTopKAssignmentsPerExpert() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.MIXTRAL, 5, TestModels.options().experts(4).expertsPerToken(2));
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        ScalarDecoder reference = ScalarDecoder.load(dir);
        List<RoutingStatistics.Domain> domains = List.of(
                new RoutingStatistics.Domain("prose", List.of("The jury said it found no evidence.", "It praised the city.")),
                new RoutingStatistics.Domain("sums", List.of("Q: What is 7 plus 12?\nA: 19")));
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            RoutingStatistics stats = RoutingStatistics.measure(decoder, tokenizer, domains);

            int layers = decoder.blocks().size();
            assertThat(stats.layers()).hasSize(layers);
            for (RoutingStatistics.Domain domain : domains) {
                double[][] expected = new double[layers][4];
                long tokens = 0;
                for (String text : domain.texts()) {
                    int[] ids = tokenizer.encode(text, true);
                    tokens += ids.length;
                    List<double[]> logits = new ArrayList<>();
                    reference.logits(ids, logits);
                    for (int i = 0; i < logits.size(); i++) {
                        for (int e : Routing.topK(logits.get(i), 2)) {
                            expected[i / ids.length][e]++;
                        }
                    }
                }
                for (int l = 0; l < layers; l++) {
                    RoutingStatistics.Layer layer = stats.layers().get(l);
                    assertThat(layer.tokens().get(domain.name())).isEqualTo(tokens);
                    double[] shares = layer.shares().get(domain.name());
                    for (int e = 0; e < 4; e++) {
                        assertThat(shares[e]).as("%s layer %d expert %d", domain.name(), l, e)
                                .isCloseTo(expected[l][e] / (2.0 * tokens), within(1e-12));
                    }
                }
            }
            assertThat(stats.markdown()).contains("| prose |", "| sums |", "distance");
        }
    }
}
