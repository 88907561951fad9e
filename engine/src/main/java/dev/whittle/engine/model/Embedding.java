package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Ops;

/**
 * Token embedding: row {@code tokens[t]} of a {@code [vocab x dim]} table becomes row t of the output. The
 * decoder's forward runs this; training runs its backward.
 */
public final class Embedding {

    private Embedding() {
    }

    /** {@code out[t] = table[tokens[t]]} for {@code count} tokens; an id outside the vocabulary is refused. */
    public static void forward(int count, int[] tokens, int tokensOff, float[] table, int vocab, int dim,
                               float[] out, int outOff) {
        Ops.embedding(count, tokens, tokensOff, table, 0, vocab, dim, out, outOff);
    }

    /**
     * {@code dTable[tokens[t]] += dOut[t]}: a scatter-add, since a token that occurs twice collects both
     * gradients. Serial on purpose: rows of a repeated token would race, and the work is a few adds per value.
     */
    public static void backward(int count, int[] tokens, int tokensOff, int dim, float[] dOut, int dOutOff,
                                float[] dTable) {
        for (int t = 0; t < count; t++) {
            int row = tokens[tokensOff + t] * dim;
            Ops.add(dim, dTable, row, dOut, dOutOff + t * dim, dTable, row);
        }
    }
}
