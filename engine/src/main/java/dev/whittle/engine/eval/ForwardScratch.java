package dev.whittle.engine.eval;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardState;

/**
 * What one thread reuses between the forwards it scores: the run state and the head's logits buffer. Forwards
 * that run side by side ({@link dev.whittle.engine.tensor.Parallel#forEach}) take one each.
 */
record ForwardScratch(ForwardState state, TokenScorer scorer) {

    ForwardScratch(Decoder decoder) {
        this(ForwardState.forInference(), new TokenScorer(decoder));
    }
}
