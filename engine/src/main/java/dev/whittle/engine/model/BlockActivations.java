package dev.whittle.engine.model;

/**
 * The named buffers of one decoder block's forward over {@code rows} stacked rows, in the order the block fills
 * them. Inference reuses one of these for every block; training keeps one per block for the backward pass.
 * Buffers only grow: after {@link #ensure} each holds at least {@code rows} rows.
 */
public final class BlockActivations {

    private final DecoderBlock.Shape shape;
    private final int hidden;
    private final int qDim;
    private final int kvDim;
    private final int heads;
    private final int kvHeads;
    private final boolean qkNorm;
    /** Whether attention stores its per-row log-sum-exp (the backward pass needs it; inference does not). */
    private final boolean keepLse;
    private int capacity = -1;

    /** {@code [rows x hidden]}: the hidden state entering the block. */
    public float[] input;
    /** {@code [rows x hidden]}: {@code input_layernorm(input)}, and {@code [rows]} its {@code 1/rms}. */
    public float[] attnNormed;
    public float[] attnInvRms;
    /** Qwen3 only: the q and k projections before their per-head RMSNorm, and {@code [rows x heads]} its 1/rms. */
    public float[] qProj;
    public float[] kProj;
    public float[] qInvRms;
    public float[] kInvRms;
    /** {@code [rows x heads*headDim]}, {@code [rows x kvHeads*headDim]}: queries and keys after norm and RoPE; values. */
    public float[] q;
    public float[] k;
    public float[] v;
    /** {@code [rows x heads*headDim]}: attention output before o_proj; {@code [rows x heads]} its log-sum-exp. */
    public float[] attn;
    public float[] lse;
    /** {@code [rows x hidden]}: {@code input + o_proj(attn)}, the residual stream between the two halves. */
    public float[] afterAttention;
    /** {@code [rows x hidden]}: {@code post_attention_layernorm(afterAttention)}, and {@code [rows]} its 1/rms. */
    public float[] mlpNormed;
    public float[] mlpInvRms;
    /** The feed-forward layer's own intermediates. */
    public final FeedForward.Activations mlp;

    BlockActivations(DecoderBlock.Shape shape, int hidden, int heads, int kvHeads, int headDim, boolean qkNorm, boolean keepLse,
                     FeedForward.Activations mlp) {
        this.shape = shape;
        this.hidden = hidden;
        this.qDim = heads * headDim;
        this.kvDim = kvHeads * headDim;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.qkNorm = qkNorm;
        this.keepLse = keepLse;
        this.mlp = mlp;
    }

    /** The shape of the blocks these buffers fit. */
    public DecoderBlock.Shape shape() {
        return shape;
    }

    public boolean keepsLse() {
        return keepLse;
    }

    /** Makes every buffer hold at least {@code rows} rows. */
    public void ensure(int rows) {
        mlp.ensure(rows);
        if (rows <= capacity) {
            return;
        }
        input = new float[size(rows, hidden)];
        attnNormed = new float[size(rows, hidden)];
        attnInvRms = new float[rows];
        if (qkNorm) {
            qProj = new float[size(rows, qDim)];
            kProj = new float[size(rows, kvDim)];
            qInvRms = new float[size(rows, heads)];
            kInvRms = new float[size(rows, kvHeads)];
        }
        q = new float[size(rows, qDim)];
        k = new float[size(rows, kvDim)];
        v = new float[size(rows, kvDim)];
        attn = new float[size(rows, qDim)];
        lse = keepLse ? new float[size(rows, heads)] : null;
        afterAttention = new float[size(rows, hidden)];
        mlpNormed = new float[size(rows, hidden)];
        mlpInvRms = new float[rows];
        capacity = rows;
    }

    /** {@code rows * cols} as an array length, failing with a clear message instead of overflowing. */
    static int size(int rows, int cols) {
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " rows x " + cols + " do not fit in one array: run fewer tokens at once");
        }
        return (int) size;
    }
}
