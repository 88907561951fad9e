package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One pre-norm decoder layer: {@code h = x + Attention(RMSNorm(x))}, {@code out = h + FFN(RMSNorm(h))}.
 *
 * @param name the checkpoint prefix ({@code model.layers.3}); it stays with the block when others are removed
 */
public record DecoderBlock(String name, float[] inputNorm, SelfAttention attention, float[] postAttentionNorm,
                           FeedForward mlp, float eps) {

    public int hidden() {
        return inputNorm.length;
    }

    /**
     * Runs the block over the stacked rows of {@code batch}: reads the hidden state from {@code x} and writes the
     * block's output back to it, leaving every intermediate in {@code a}. {@code position} is the block's place in
     * the running list (it selects the cache rows).
     */
    public void forward(Batch batch, int position, float[] x, BlockActivations a, ForwardHooks hooks) {
        int rows = batch.rows();
        int n = rows * hidden();
        a.ensure(rows);
        System.arraycopy(x, 0, a.input, 0, n);

        RmsNorm.forward(rows, hidden(), a.input, 0, inputNorm, eps, a.attnNormed, 0, a.attnInvRms, 0);
        attention.forward(batch, position, a, a.afterAttention, hooks);
        // The residual adds: their backward hands the output's gradient to both inputs unchanged.
        Ops.add(n, a.afterAttention, 0, a.input, 0, a.afterAttention, 0);

        RmsNorm.forward(rows, hidden(), a.afterAttention, 0, postAttentionNorm, eps, a.mlpNormed, 0, a.mlpInvRms, 0);
        mlp.forward(rows, a.mlpNormed, x, a.mlp, hooks);
        Ops.add(n, x, 0, a.afterAttention, 0, x, 0);
    }

    /** Empty buffers for this block's forward; {@code keepLse} when a backward pass will follow. */
    public BlockActivations newActivations(boolean keepLse) {
        return new BlockActivations(shape(), hidden(), attention.heads(), attention.kvHeads(), attention.headDim(),
                attention.normalisesQk(), keepLse, mlp.newActivations());
    }

    /** What decides the sizes of this block's buffers: blocks of equal shape can share one {@link BlockActivations}. */
    public Shape shape() {
        List<Integer> mlpDims = new ArrayList<>();
        for (Linear linear : mlp.linears()) {
            mlpDims.add(linear.out());
            mlpDims.add(linear.in());
        }
        return new Shape(mlp.getClass(), hidden(), attention.heads(), attention.kvHeads(), attention.headDim(),
                attention.normalisesQk(), List.copyOf(mlpDims));
    }

    /** The dimensions of a block (they differ between blocks only after structured pruning). */
    public record Shape(Class<?> feedForward, int hidden, int heads, int kvHeads, int headDim, boolean qkNorm,
                        List<Integer> feedForwardDims) {
    }

    /**
     * The same block with each linear layer of attention and of a dense MLP replaced by {@code change} of it; a
     * Mixture-of-Experts layer stays as it is.
     */
    public DecoderBlock withLinears(UnaryOperator<Linear> change) {
        FeedForward feedForward = mlp instanceof SwiGluMlp dense ? dense.withLinears(change) : mlp;
        return new DecoderBlock(name, inputNorm, attention.withLinears(change), postAttentionNorm, feedForward, eps);
    }

    /** The linear layers, in checkpoint order: attention then MLP. */
    public List<Linear> linears() {
        List<Linear> all = new ArrayList<>(attention.linears());
        all.addAll(mlp.linears());
        return all;
    }
}
