package dev.whittle.engine.model;

/**
 * Observers of a forward pass. Calibration (Wanda, SparseGPT) needs the input of every linear layer; block
 * removal scores need the hidden state entering and leaving every block. Arrays are the live buffers of the
 * forward: read them during the call, copy what must outlive it, never write to them.
 */
public interface ForwardHooks {

    /**
     * The input {@code [rows x cols]} at {@code x[offset ..]} of the linear layer named {@code linear}. Layers that
     * read the same input (q/k/v, gate/up) each report it, with the same array.
     */
    default void linearInput(String linear, float[] x, int offset, int rows, int cols) {
    }

    /** The hidden state {@code [rows x dim]} entering the block at position {@code block} of the running list. */
    default void blockInput(int block, float[] hidden, int rows, int dim) {
    }

    /** The hidden state {@code [rows x dim]} leaving the block at position {@code block} of the running list. */
    default void blockOutput(int block, float[] hidden, int rows, int dim) {
    }

    /**
     * A Mixture-of-Experts layer's routing over {@code rows} rows (its router named {@code router}): row {@code r}
     * went to experts {@code experts[r*topK ..]}, best first, mixed with {@code weights[r*topK ..]}.
     */
    default void routing(String router, int rows, int topK, int[] experts, float[] weights) {
    }

    /**
     * The output {@code [count x dim]} of expert {@code expert} of the MoE layer whose router is {@code router},
     * for the rows {@code rows[0 .. count)} of the layer's input, before its routing weight is applied.
     */
    default void expertOutput(String router, int expert, int[] rows, float[] output, int count, int dim) {
    }

    ForwardHooks NONE = new ForwardHooks() {
    };
}
