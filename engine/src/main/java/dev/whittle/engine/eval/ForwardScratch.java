package dev.whittle.engine.eval;

import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.tensor.Parallel;

import java.util.function.ObjIntConsumer;

/**
 * What one thread reuses between the forwards it scores: the run state and the head's logits buffer. Forwards
 * that run side by side ({@link #run}) take one each.
 */
record ForwardScratch(ForwardState state, TokenScorer scorer) {

    ForwardScratch(Decoder decoder) {
        this(ForwardState.forInference(), new TokenScorer(decoder));
    }

    /**
     * Runs the independent forwards {@code 0 .. n-1} of {@code decoder}: side by side, one per thread with a scratch
     * each, for a small model ({@link Decoder#runsSequencesPerThread}), else one after another on {@code reused}.
     * Each row's values do not depend on the thread count, so the results are the same either way.
     */
    static void run(Decoder decoder, int n, ForwardScratch reused, ObjIntConsumer<ForwardScratch> forward) {
        if (decoder.runsSequencesPerThread() && n > 1) {
            Parallel.forEach(n, () -> new ForwardScratch(decoder), forward);
        } else {
            for (int i = 0; i < n; i++) {
                forward.accept(reused, i);
            }
        }
    }
}
