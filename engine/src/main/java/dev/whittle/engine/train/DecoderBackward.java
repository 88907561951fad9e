package dev.whittle.engine.train;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.BlockActivations;
import dev.whittle.engine.model.CausalAttention;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Embedding;
import dev.whittle.engine.model.FeedForward;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.LowRankAdapter;
import dev.whittle.engine.model.RmsNorm;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SelfAttention;
import dev.whittle.engine.model.SwiGlu;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.tensor.Rope;
import dev.whittle.engine.train.ops.CrossEntropy;
import dev.whittle.engine.train.optim.Parameter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The backward pass of {@link Decoder#forward}, composed of the backwards that stand beside each layer's forward
 * in {@code engine.model} ({@link Linear#backward}, {@link RmsNorm}, {@link SwiGlu}, {@link CausalAttention},
 * {@link Embedding}, the rotary tables' inverse), read against the forward in reverse: loss and head, final norm, each
 * block (MLP half, then attention half, as {@link DecoderBlock#forward} composed them), embedding. It reads the
 * intermediates the forward left in a training {@link ForwardState} and adds every weight gradient into the
 * matching {@link Parameter}; frozen weights are skipped. The MLP's gate and up buffers are overwritten with
 * their gradients (they are not needed after), which saves two {@code [rows x intermediate]} arrays.
 */
final class DecoderBackward {

    /** Logits are computed this many floats at a time: a large vocabulary over a whole batch would not fit. */
    static final int LOGITS_CHUNK_FLOATS = 1 << 22;

    private final Decoder decoder;
    private final Map<float[], Parameter> parameters;
    private final LogitLoss loss;
    private int capacity = -1;
    /** Gradients of the residual stream, of a norm's output, of attention's output, of q, k, v, of the MLP product. */
    private float[] dStream;
    private float[] dNormed;
    private float[] dAttn;
    private float[] dq;
    private float[] dk;
    private float[] dv;
    private float[] dProduct;
    private float[] logits;
    /** The sparse layers' backward, null for a dense decoder. */
    private final MoeBackward moe;

    DecoderBackward(Decoder decoder, Map<float[], Parameter> parameters, LogitLoss loss) {
        this(decoder, parameters, loss, RouterLosses.NONE);
    }

    /**
     * With the loss on the logits and the router losses a Mixture-of-Experts decoder adds to it (ignored by a dense
     * one).
     */
    DecoderBackward(Decoder decoder, Map<float[], Parameter> parameters, LogitLoss loss, RouterLosses routerLosses) {
        this.decoder = decoder;
        this.parameters = parameters;
        this.loss = loss;
        List<MoeFeedForward> sparse = MoeBackward.sparseLayers(decoder.blocks());
        this.moe = sparse.isEmpty() ? null : new MoeBackward(sparse, routerLosses, this::grad);
    }

    /**
     * After {@code decoder.forward(batch, state)}: adds {@code lossScale} times the gradient of the summed loss
     * (cross-entropy of {@code targets}, or distillation; {@link CrossEntropy#IGNORE} marks unscored rows) to the
     * parameters, and returns that summed loss. A sparse decoder's router losses count as a per-token mean: they add
     * {@code scored x (coefficient x loss)} to the sum and their gradient with the same weight.
     */
    double run(Batch batch, ForwardState state, int[] targets, float lossScale) {
        int rows = batch.rows();
        ensure(rows);
        loss.prepare(batch);
        double summed = lossAndHead(rows, state, targets, lossScale);
        if (moe != null) {
            int scored = CrossEntropy.countSelected(rows, targets, 0);
            summed += scored * moe.beginStep(decoder.blocks(), state, rows, (double) lossScale * scored);
        }
        int hidden = decoder.hiddenSize();
        RmsNorm.backward(rows, hidden, state.hidden, 0, decoder.finalNorm(), state.finalInvRms, 0, dNormed, 0,
                dStream, 0, false, grad(decoder.finalNorm()));
        for (int position = decoder.blocks().size() - 1; position >= 0; position--) {
            block(decoder.blocks().get(position), state.block(position), batch);
        }
        float[] dEmbedding = grad(decoder.embedding());
        if (dEmbedding != null) {
            for (int s = 0; s < batch.size(); s++) {
                Embedding.backward(batch.length(s), batch.tokens(s), 0, hidden, dStream, batch.rowStart(s) * hidden,
                        dEmbedding);
            }
        }
        return summed;
    }

    /** {@code logits = head(normed)}, the loss on them, and from it dNormed and the head's gradient, chunk by chunk. */
    private double lossAndHead(int rows, ForwardState state, int[] targets, float lossScale) {
        int hidden = decoder.hiddenSize();
        int vocab = decoder.vocabSize();
        Linear head = decoder.lmHead();
        int chunk = Math.max(1, Math.min(rows, LOGITS_CHUNK_FLOATS / vocab));
        double summed = 0;
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int n = Math.min(chunk, rows - r0);
            if (CrossEntropy.countSelected(n, targets, r0) == 0) {
                Arrays.fill(dNormed, r0 * hidden, (r0 + n) * hidden, 0f);
                continue;
            }
            decoder.logits(state, r0, n, logits, 0, ForwardHooks.NONE);
            summed += loss.lossAndGradient(r0, n, vocab, logits, targets, lossScale);
            linear(head, n, state.normed, r0 * hidden, logits, 0, dNormed, r0 * hidden, false);
        }
        return summed;
    }

    /**
     * {@code dStream} holds the gradient of the block's output and leaves holding that of its input. The output
     * is {@code afterAttention + mlp(norm(afterAttention))} and {@code afterAttention = input + attention(norm(input))}:
     * the residual passes dStream through, each branch adds its own share.
     */
    private void block(DecoderBlock block, BlockActivations a, Batch batch) {
        int rows = batch.rows();
        int hidden = block.hidden();
        feedForward(block.mlp(), a.mlp, rows, a.mlpNormed);
        RmsNorm.backward(rows, hidden, a.afterAttention, 0, block.postAttentionNorm(), a.mlpInvRms, 0, dNormed, 0,
                dStream, 0, true, grad(block.postAttentionNorm()));
        attention(block.attention(), a, batch);
        RmsNorm.backward(rows, hidden, a.input, 0, block.inputNorm(), a.attnInvRms, 0, dNormed, 0,
                dStream, 0, true, grad(block.inputNorm()));
    }

    /** {@code down(silu(gate(x)) * up(x))} backwards: dStream is the output's gradient; writes dNormed (of x). */
    private void feedForward(FeedForward mlp, FeedForward.Activations activations, int rows, float[] x) {
        if (mlp instanceof MoeFeedForward sparse) {
            moe.backward(sparse, (MoeFeedForward.Activations) activations, rows, x, dStream, dNormed);
            return;
        }
        if (!(mlp instanceof SwiGluMlp swiGlu)) {
            throw new UnsupportedOperationException("training is implemented for the dense SwiGLU MLP, not "
                    + mlp.getClass().getSimpleName());
        }
        SwiGluMlp.Activations a = (SwiGluMlp.Activations) activations;
        linear(swiGlu.down(), rows, a.product, 0, dStream, 0, dProduct, 0, false);
        SwiGlu.backward(rows * swiGlu.intermediate(), a.gate, 0, a.up, 0, dProduct, 0, a.gate, 0, a.up, 0);
        linear(swiGlu.gate(), rows, x, 0, a.gate, 0, dNormed, 0, false);
        linear(swiGlu.up(), rows, x, 0, a.up, 0, dNormed, 0, true);
    }

    /** {@link SelfAttention}'s forward backwards: dStream is the gradient of o_proj's output; writes dNormed. */
    private void attention(SelfAttention attention, BlockActivations a, Batch batch) {
        int rows = batch.rows();
        int heads = attention.heads();
        int kvHeads = attention.kvHeads();
        int headDim = attention.headDim();
        linear(attention.oProj(), rows, a.attn, 0, dStream, 0, dAttn, 0, false);
        int[] lengths = new int[batch.size()];
        for (int s = 0; s < batch.size(); s++) {
            lengths[s] = batch.length(s);
        }
        CausalAttention.backward(lengths, heads, kvHeads, headDim, a.q, a.k, a.v, a.attn, a.lse, dAttn, dq, dk, dv);
        Rope rope = attention.rotary().covering(batch.endPosition());
        for (int s = 0; s < batch.size(); s++) {
            int r0 = batch.rowStart(s);
            rope.applyInverse(dq, r0 * heads * headDim, lengths[s], heads, headDim, 0);
            rope.applyInverse(dk, r0 * kvHeads * headDim, lengths[s], kvHeads, headDim, 0);
        }
        if (attention.normalisesQk()) {
            // Groups of the norm weight's width, as the forward normalised them (per head, or the whole projection).
            int qWidth = attention.qNorm().length;
            int kWidth = attention.kNorm().length;
            RmsNorm.backward(rows * heads * headDim / qWidth, qWidth, a.qProj, 0, attention.qNorm(), a.qInvRms, 0, dq, 0,
                    dq, 0, false, grad(attention.qNorm()));
            RmsNorm.backward(rows * kvHeads * headDim / kWidth, kWidth, a.kProj, 0, attention.kNorm(), a.kInvRms, 0, dk,
                    0, dk, 0, false, grad(attention.kNorm()));
        }
        linear(attention.qProj(), rows, a.attnNormed, 0, dq, 0, dNormed, 0, false);
        linear(attention.kProj(), rows, a.attnNormed, 0, dk, 0, dNormed, 0, true);
        linear(attention.vProj(), rows, a.attnNormed, 0, dv, 0, dNormed, 0, true);
    }

    /** One of the decoder's linear layers backwards (and its LoRA adapter's), gradients going to their parameters. */
    private void linear(Linear layer, int rows, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                        boolean accumulate) {
        layer.backward(rows, x, xOff, dy, dyOff, dx, dxOff, accumulate, grad(layer.weight()),
                layer.bias() == null ? null : grad(layer.bias()));
        LowRankAdapter adapter = layer.adapter();
        if (adapter != null) {
            adapter.backward(x, xOff, dy, dyOff, dx, dxOff, grad(adapter.a()), grad(adapter.b()));
        }
    }

    /** The gradient array of a weight, or null when it is frozen. */
    private float[] grad(float[] weight) {
        Parameter p = parameters.get(weight);
        if (p == null) {
            throw new IllegalStateException("a weight of the decoder has no training parameter");
        }
        return p.grad();
    }

    /** Work buffers for {@code rows} rows, sized for the widest block. */
    private void ensure(int rows) {
        if (rows <= capacity) {
            return;
        }
        int hidden = decoder.hiddenSize();
        int qDim = 0;
        int kvDim = 0;
        int intermediate = 0;
        for (DecoderBlock block : decoder.blocks()) {
            SelfAttention at = block.attention();
            qDim = Math.max(qDim, at.heads() * at.headDim());
            kvDim = Math.max(kvDim, at.kvHeads() * at.headDim());
            if (block.mlp() instanceof SwiGluMlp mlp) {
                intermediate = Math.max(intermediate, mlp.intermediate());
            }
        }
        dStream = new float[Math.multiplyExact(rows, hidden)];
        dNormed = new float[rows * hidden];
        dAttn = new float[Math.multiplyExact(rows, qDim)];
        dq = new float[rows * qDim];
        dk = new float[Math.multiplyExact(rows, kvDim)];
        dv = new float[rows * kvDim];
        dProduct = new float[Math.multiplyExact(rows, intermediate)];
        int vocab = decoder.vocabSize();
        logits = new float[Math.max(1, Math.min(rows, LOGITS_CHUNK_FLOATS / vocab)) * vocab];
        capacity = rows;
    }
}
