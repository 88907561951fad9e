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

    ForwardHooks NONE = new ForwardHooks() {
    };
}
