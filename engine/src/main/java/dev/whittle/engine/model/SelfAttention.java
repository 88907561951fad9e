package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Rope;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Causal grouped-query self-attention: q/k/v projections (biases where the checkpoint has them), RMSNorm on q and k
 * (per head for Qwen3, over the whole projection for OLMoE), rotary positions, attention within each sequence (over its cache, when it has one), o_proj.
 *
 * @param qNorm  null unless the family normalises q and k: {@code [headDim]} per head (Qwen3), as is kNorm, or
 *               {@code [heads*headDim]} and kNorm {@code [kvHeads*headDim]} over the whole projection (OLMoE)
 * @param window the sliding attention window of this layer (0: full causal attention); sequences must fit in it
 */
public record SelfAttention(Linear qProj, Linear kProj, Linear vProj, Linear oProj, float[] qNorm, float[] kNorm,
                            int heads, int kvHeads, int headDim, float eps, int window, RotaryEmbedding rotary) {

    public SelfAttention {
        int hidden = qProj.in();
        if (qProj.out() != heads * headDim || kProj.out() != kvHeads * headDim || vProj.out() != kvHeads * headDim
                || kProj.in() != hidden || vProj.in() != hidden || oProj.in() != heads * headDim || oProj.out() != hidden) {
            throw new IllegalArgumentException("attention shapes of " + qProj.name() + " do not match " + heads
                    + " heads, " + kvHeads + " kv heads, head_dim " + headDim);
        }
        boolean perHead = qNorm != null && kNorm != null && qNorm.length == headDim && kNorm.length == headDim;
        boolean whole = qNorm != null && kNorm != null && qNorm.length == heads * headDim
                && kNorm.length == kvHeads * headDim;
        if ((qNorm == null) != (kNorm == null) || (qNorm != null && !perHead && !whole)) {
            throw new IllegalArgumentException("q_norm and k_norm of " + qProj.name() + " must both be [" + headDim
                    + "] (per head) or [" + heads * headDim + "] and [" + kvHeads * headDim + "] (whole projection)");
        }
    }

    public boolean normalisesQk() {
        return qNorm != null;
    }

    /**
     * Fills {@code a.q, a.k, a.v, a.attn} (and the q/k-norm buffers) from {@code a.attnNormed}, then writes
     * {@code o_proj(a.attn)} to {@code out}. {@code block} is the block's position, which selects its cache rows.
     */
    void forward(Batch batch, int block, BlockActivations a, float[] out, ForwardHooks hooks) {
        int rows = batch.rows();
        if (window > 0 && batch.endPosition() > window) {
            throw new IllegalArgumentException(qProj.name() + " attends within a sliding window of " + window
                    + " positions, which the engine does not implement, and the sequences reach position "
                    + batch.endPosition() + ": run at most " + window + " tokens per sequence");
        }
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        if (normalisesQk()) {
            qProj.forward(rows, a.attnNormed, 0, a.qProj, 0, hooks);
            kProj.forward(rows, a.attnNormed, 0, a.kProj, 0, hooks);
            // Normalised in groups of the norm weight's width: a head, or the whole projection (one group a row).
            RmsNorm.forward(rows * qDim / qNorm.length, qNorm.length, a.qProj, 0, qNorm, eps, a.q, 0, a.qInvRms, 0);
            RmsNorm.forward(rows * kvDim / kNorm.length, kNorm.length, a.kProj, 0, kNorm, eps, a.k, 0, a.kInvRms, 0);
        } else {
            qProj.forward(rows, a.attnNormed, 0, a.q, 0, hooks);
            kProj.forward(rows, a.attnNormed, 0, a.k, 0, hooks);
        }
        vProj.forward(rows, a.attnNormed, 0, a.v, 0, hooks);

        Rope rope = rotary.covering(batch.endPosition());
        float[] lse = null;
        for (int s = 0; s < batch.size(); s++) {
            int r0 = batch.rowStart(s);
            int t = batch.length(s);
            int past = batch.past(s);
            rope.apply(a.q, r0 * qDim, t, heads, headDim, past);
            rope.apply(a.k, r0 * kvDim, t, kvHeads, headDim, past);
            if (a.keepsLse()) {
                lse = t * heads <= a.lse.length && r0 == 0 ? a.lse : new float[t * heads];
            }
            KvCache cache = batch.cache(s);
            if (cache == null) {
                CausalAttention.forward(t, 0, heads, kvHeads, headDim, a.q, r0 * qDim, a.k, r0 * kvDim, a.v,
                        r0 * kvDim, a.attn, r0 * qDim, lse);
            } else {
                cache.append(block, t, a.k, r0 * kvDim, a.v, r0 * kvDim);
                cache.attend(block, t, heads, a.q, r0 * qDim, a.attn, r0 * qDim, lse);
            }
            if (lse != null && lse != a.lse) {
                System.arraycopy(lse, 0, a.lse, r0 * heads, t * heads);
            }
        }
        oProj.forward(rows, a.attn, 0, out, 0, hooks);
    }

    /** The same attention with each projection replaced by {@code change} of it (an adapter added, say). */
    public SelfAttention withLinears(UnaryOperator<Linear> change) {
        return new SelfAttention(change.apply(qProj), change.apply(kProj), change.apply(vProj), change.apply(oProj),
                qNorm, kNorm, heads, kvHeads, headDim, eps, window, rotary);
    }

    /** The linear layers, in checkpoint order. */
    public List<Linear> linears() {
        return List.of(qProj, kProj, vProj, oProj);
    }
}
