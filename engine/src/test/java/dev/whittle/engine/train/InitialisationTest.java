package dev.whittle.engine.train;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class InitialisationTest {

    private static final ModelConfig LLAMA = ModelConfig.of(TestModels.configJson(Family.LLAMA,
            TestModels.options().layers(8).hidden(64).intermediate(160).vocab(512).tied(true)));

    private static double std(float[] x) {
        double sum = 0;
        double squares = 0;
        for (float v : x) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / x.length;
        return Math.sqrt(squares / x.length - mean * mean);
    }

    @Test
    void weightsFollowTheInitializerRangeAndResidualProjectionsAreScaledByDepth() {
        Decoder decoder = Initialisation.randomDecoder(LLAMA, 1);
        var block = decoder.blocks().get(3);
        assertThat(std(decoder.embedding())).isCloseTo(0.02, within(0.001));
        assertThat(std(block.attention().qProj().weight())).isCloseTo(0.02, within(0.001));
        assertThat(std(block.mlp().linears().get(0).weight())).isCloseTo(0.02, within(0.001));
        assertThat(std(block.attention().oProj().weight())).isCloseTo(0.02 / Math.sqrt(16), within(0.0005));
        assertThat(std(block.mlp().linears().get(2).weight())).isCloseTo(0.02 / Math.sqrt(16), within(0.0005));
        assertThat(block.inputNorm()).containsOnly(1f);
        assertThat(decoder.lmHead().weight()).isSameAs(decoder.embedding());
    }

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
        Decoder a = Initialisation.randomDecoder(LLAMA, 7);
        Decoder b = Initialisation.randomDecoder(LLAMA, 7);
        Decoder c = Initialisation.randomDecoder(LLAMA, 8);
        assertThat(a.blocks().get(5).attention().kProj().weight()).containsExactly(b.blocks().get(5).attention().kProj().weight());
        assertThat(a.embedding()).isNotEqualTo(c.embedding());
        // Tensors of the same shape in different layers are not copies of each other.
        assertThat(a.blocks().get(0).attention().qProj().weight()).isNotEqualTo(a.blocks().get(1).attention().qProj().weight());
    }
}
