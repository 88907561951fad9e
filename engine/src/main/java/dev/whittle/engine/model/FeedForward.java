package dev.whittle.engine.model;

import java.util.List;

/**
 * The position-wise half of a decoder block, behind an interface so a Mixture-of-Experts layer (Mixtral, Qwen2-MoE,
 * Qwen3-MoE, OLMoE) slots in beside the dense SwiGLU without touching the attention path. Each kind keeps the
 * intermediate buffers its backward pass needs in its own {@link Activations}.
 */
public interface FeedForward {

    /** {@code out[rows x hidden] = FFN(x[rows x hidden])}, keeping its intermediates in {@code activations}. */
    void forward(int rows, float[] x, float[] out, Activations activations, ForwardHooks hooks);

    /** Empty buffers of the right kind for this layer; {@link Activations#ensure} sizes them. */
    Activations newActivations();

    /** The linear layers, in checkpoint order (pruning walks them). */
    List<Linear> linears();

    /** Intermediate buffers of one forward over {@code rows} rows. */
    interface Activations {
        void ensure(int rows);
    }
}
