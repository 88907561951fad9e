package dev.whittle.lab.bench;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.LowRankAdapter;
import dev.whittle.engine.train.lora.LoraModel;

/**
 * Model flops per token of one DISTILL update, starting from the trainer's count of a full training step (6 x the
 * weights that multiply activations, plus causal attention forward and backward: the useful work, as model-flops
 * utilisation counts it) and adding what that count does not know:
 * <ul>
 *   <li>LoRA: the frozen base weights get no weight gradient, so the backward does 2 of their 4 flops per weight
 *       (the input gradient still flows through them); the adapters' A and B are trained weights, 6 flops each.</li>
 *   <li>logit distillation: the teacher's forward, a third of the teacher's training step (2 x its weights plus
 *       attention forward).</li>
 * </ul>
 */
final class FineTuneFlops {

    private FineTuneFlops() {
    }

    /** Per token of a LoRA update, from the trainer's count of a full update of the same base. */
    static double lora(double fullUpdateFlops, LoraModel lora) {
        Decoder decoder = lora.decoder();
        double baseWeights = (double) decoder.lmHead().out() * decoder.lmHead().in();
        double adapterWeights = 0;
        for (Linear linear : decoder.linears()) {
            baseWeights += (double) linear.out() * linear.in();
            LowRankAdapter adapter = linear.adapter();
            if (adapter != null) {
                adapterWeights += (double) adapter.rank() * (linear.in() + linear.out());
            }
        }
        return fullUpdateFlops - 2 * baseWeights + 6 * adapterWeights;
    }

    /** Per token of the teacher's forward, from the trainer's count of a full update of the teacher. */
    static double teacherForward(double teacherFullUpdateFlops) {
        return teacherFullUpdateFlops / 3;
    }
}
