package dev.whittle.lab.reference;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.Initialisation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MoeReferencePlanTest {

    @TempDir
    Path tmp;

    @Test
    void whittleRefMoeIsAMixtralWithWhittleRefsAttentionAndAsManyActiveMlpWeights() throws IOException {
        TestTokenizers.write(tmp, 512, true);
        ReferencePlan moe = ReferencePlan.whittleRefMoe(2027);
        ReferencePlan dense = ReferencePlan.whittleRef();
        try (Tokenizer tokenizer = Tokenizer.load(tmp)) {
            ModelConfig config = moe.modelConfig(tokenizer);
            Decoder decoder = Initialisation.randomDecoder(config, 1);

            assertThat(config.family()).isEqualTo(Family.MIXTRAL);
            assertThat(config.slidingWindow()).isNull();
            assertThat(config.moe().numExperts()).isEqualTo(8);
            assertThat(config.moe().numExpertsPerToken()).isEqualTo(2);
            assertThat(config.moe().routerAuxLossCoef()).isEqualTo(moe.experts().loadBalancing());
            assertThat(decoder.blocks()).hasSize(dense.layers()).allMatch(b -> b.mlp() instanceof MoeFeedForward);
            DecoderBlock block = decoder.blocks().getFirst();
            assertThat(block.attention().heads()).isEqualTo(dense.heads());
            assertThat(block.attention().kvHeads()).isEqualTo(dense.kvHeads());
            MoeFeedForward mlp = (MoeFeedForward) block.mlp();
            assertThat(mlp.topK() * mlp.experts().getFirst().intermediate()).isEqualTo(dense.intermediate());
            assertThat(mlp.normalizesTopK()).isTrue();
            assertThat(moe.routerLosses().loadBalancing()).isEqualTo(0.01);
            assertThat(dense.routerLosses().any()).isFalse();
        }
    }
}
