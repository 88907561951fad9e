package dev.whittle.lab.bench;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.lora.LoraConfig;
import dev.whittle.engine.train.lora.LoraModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FineTuneFlopsTest {

    // hidden 16, intermediate 24, 2 layers of 2 heads (head dim 8), vocabulary 32, tied head; context 10.
    private static final int T = 10;
    private final Decoder decoder = RandomLlama.decoder(16, 24, 2, 2, 32, 64);
    private final double fullUpdate = new DecoderTraining(decoder).trainingFlopsPerToken(T);

    /** Per token: q, k, v, o of 16 x 16 and gate, up, down of 16 x 24 in each layer, and the 32 x 16 head. */
    private static final double WEIGHTS = 2 * (4 * 16 * 16 + 3 * 16 * 24) + 32 * 16;
    /** Scores and weighted values over (T + 1) / 2 positions of the 16-wide queries, in each layer. */
    private static final double ATTENTION_FORWARD = 2 * (2 * 2 * 16 * (T + 1) / 2.0);

    @Test
    void loraUpdateSkipsTheFrozenWeightGradientsAndTrainsTheAdapters() {
        LoraModel lora = LoraModel.attach(decoder, new LoraConfig(4, 8, 0, List.of("q_proj", "down_proj"), 1));
        // A [4 x in] and B [out x 4] on q_proj (16 -> 16) and down_proj (24 -> 16) of both layers.
        double adapters = 2 * (4 * (16 + 16) + 4 * (24 + 16));
        // Forward: every weight and adapter once. Backward: input gradients through the frozen weights, input and
        // weight gradients of the adapters, attention's backward at twice its forward.
        double forward = 2 * WEIGHTS + 2 * adapters + ATTENTION_FORWARD;
        double backward = 2 * WEIGHTS + 4 * adapters + 2 * ATTENTION_FORWARD;

        assertThat(FineTuneFlops.lora(fullUpdate, lora)).isCloseTo(forward + backward, within(1e-6));
    }

    @Test
    void teacherForwardIsTwiceItsWeightsAndAttentionForward() {
        assertThat(FineTuneFlops.teacherForward(fullUpdate)).isCloseTo(2 * WEIGHTS + ATTENTION_FORWARD, within(1e-6));
    }
}
