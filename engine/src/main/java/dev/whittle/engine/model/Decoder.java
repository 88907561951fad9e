package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Parallel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A decoder-only language model ready to run: token embedding, the blocks (a list, so block removal can run a
 * model with some skipped and rebuild one with fewer), the final RMSNorm and the head.
 * <pre>
 *   x = embed(tokens)
 *   for each block: x = x + Attention(RMSNorm(x));  x = x + FFN(RMSNorm(x))
 *   logits = RMSNorm(x) W_head^T
 * </pre>
 * The head is separate from the forward so callers compute logits only for the rows they need: a 128k vocabulary
 * over every position of a long batch would not fit.
 */
public final class Decoder {

    private final ModelConfig config;
    private final float[] embedding;
    private final List<DecoderBlock> blocks;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final float eps;
    private final int hidden;
    private final int vocab;

    /**
     * @param embedding {@code [vocab x hidden]}; tied models pass the same array as {@code lmHead}'s weight
     */
    public Decoder(ModelConfig config, float[] embedding, List<DecoderBlock> blocks, float[] finalNorm, Linear lmHead,
                   float eps) {
        this.config = config;
        this.embedding = embedding;
        this.blocks = List.copyOf(blocks);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.eps = eps;
        this.hidden = finalNorm.length;
        this.vocab = lmHead.out();
        if (embedding.length % hidden != 0 || lmHead.in() != hidden) {
            throw new IllegalArgumentException("embedding (" + embedding.length + " values) and lm_head (" + lmHead.out()
                    + "x" + lmHead.in() + ") do not match hidden size " + hidden);
        }
        for (DecoderBlock block : this.blocks) {
            if (block.hidden() != hidden) {
                throw new IllegalArgumentException(block.name() + " has hidden size " + block.hidden() + ", not " + hidden);
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    public List<DecoderBlock> blocks() {
        return blocks;
    }

    public float[] embedding() {
        return embedding;
    }

    public float[] finalNorm() {
        return finalNorm;
    }

    public Linear lmHead() {
        return lmHead;
    }

    public float eps() {
        return eps;
    }

    public int hiddenSize() {
        return hidden;
    }

    public int vocabSize() {
        return vocab;
    }

    /** Rows of the embedding table (may exceed the head's vocabulary in padded checkpoints). */
    public int embeddingRows() {
        return embedding.length / hidden;
    }

    /** The same weights with another list of blocks (block removal; weights are shared, not copied). */
    public Decoder withBlocks(List<DecoderBlock> newBlocks) {
        return new Decoder(config, embedding, newBlocks, finalNorm, lmHead, eps);
    }

    /** The same weights with the blocks' linear layers replaced by {@code change} of each (the head stays). */
    public Decoder withLinears(UnaryOperator<Linear> change) {
        List<DecoderBlock> changed = new ArrayList<>();
        for (DecoderBlock block : blocks) {
            changed.add(block.withLinears(change));
        }
        return withBlocks(changed);
    }

    /** The same weights without the blocks at the given positions. */
    public Decoder withoutBlocks(Collection<Integer> positions) {
        Set<Integer> skipped = Set.copyOf(positions);
        List<DecoderBlock> kept = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (!skipped.contains(i)) {
                kept.add(blocks.get(i));
            }
        }
        return withBlocks(kept);
    }

    /**
     * Models up to this many parameters run independent sequences one per thread ({@link #runsSequencesPerThread}).
     * Measured on whittle-ref (5.4M, hidden 256) over the kick suite: 46 CPU seconds on one thread against 56 with
     * every product split over two, the fork and join of such small products costing more than they save.
     */
    static final long SEQUENCES_PER_THREAD_MAX_PARAMETERS = 32_000_000L;

    /**
     * Whether work made of independent forwards (evaluation windows, groups of contexts, batches of generations)
     * should run them side by side, one per thread of {@link Parallel}, each forward's
     * products on its thread alone, rather than one forward at a time with every product split over the threads: so
     * for a small model, whose products are too small to split well. A larger model's products split well, and
     * several forwards at once would multiply its activations and the weight reads of a decode step.
     */
    public boolean runsSequencesPerThread() {
        return Parallel.threads() > 1 && parameterCount() <= SEQUENCES_PER_THREAD_MAX_PARAMETERS;
    }

    /** A cache for one sequence, with room for {@code positions} before it grows. */
    public KvCache newCache(int positions) {
        SelfAttention first = blocks.getFirst().attention();
        return new KvCache(blocks.size(), first.kvHeads(), first.headDim(), positions);
    }

    /**
     * Runs the batch through the blocks and the final norm: afterwards {@code state.normed} holds the
     * {@code [rows x hidden]} input of the head, and sequences with a cache have their new positions appended.
     */
    public void forward(Batch batch, ForwardState state, ForwardHooks hooks) {
        int rows = batch.rows();
        state.ensure(rows, hidden);
        int embeddingRows = embeddingRows();
        for (int s = 0; s < batch.size(); s++) {
            Embedding.forward(batch.length(s), batch.tokens(s), 0, embedding, embeddingRows, hidden,
                    state.hidden, batch.rowStart(s) * hidden);
            if (batch.cache(s) != null) {
                batch.cache(s).reserve(batch.length(s));
            }
        }
        for (int position = 0; position < blocks.size(); position++) {
            DecoderBlock block = blocks.get(position);
            hooks.blockInput(position, state.hidden, rows, hidden);
            block.forward(batch, position, state.hidden, state.activationsFor(position, block), hooks);
            hooks.blockOutput(position, state.hidden, rows, hidden);
        }
        RmsNorm.forward(rows, hidden, state.hidden, 0, finalNorm, eps, state.normed, 0, state.finalInvRms, 0);
        for (int s = 0; s < batch.size(); s++) {
            if (batch.cache(s) != null) {
                batch.cache(s).advance(batch.length(s));
            }
        }
    }

    /** {@code out[rows x vocab] = head(state.normed[firstRow .. firstRow+rows))}. */
    public void logits(ForwardState state, int firstRow, int rows, float[] out, int outOff, ForwardHooks hooks) {
        lmHead.forward(rows, state.normed, firstRow * hidden, out, outOff, hooks);
    }

    /** Logits {@code [T x vocab]} for every position of one sequence. */
    public float[] logits(int[] tokens) {
        return logits(List.of(tokens)).getFirst();
    }

    /** Logits {@code [T_i x vocab]} for every position of each sequence, run as one batch. */
    public List<float[]> logits(List<int[]> sequences) {
        Batch batch = Batch.of(sequences);
        ForwardState state = ForwardState.forInference();
        forward(batch, state, ForwardHooks.NONE);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < batch.size(); s++) {
            float[] logits = new float[BlockActivations.size(batch.length(s), vocab)];
            logits(state, batch.rowStart(s), batch.length(s), logits, 0, ForwardHooks.NONE);
            out.add(logits);
        }
        return out;
    }

    /**
     * Runs the batch (appending to the caches it carries) and returns the logits {@code [vocab]} of each sequence's
     * last position only: what generation needs.
     */
    public List<float[]> lastLogits(Batch batch, ForwardState state) {
        forward(batch, state, ForwardHooks.NONE);
        int n = batch.size();
        float[] lastRows = new float[BlockActivations.size(n, hidden)];
        for (int s = 0; s < n; s++) {
            System.arraycopy(state.normed, batch.lastRow(s) * hidden, lastRows, s * hidden, hidden);
        }
        float[] logits = new float[BlockActivations.size(n, vocab)];
        lmHead.forward(n, lastRows, 0, logits, 0, ForwardHooks.NONE);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] row = new float[vocab];
            System.arraycopy(logits, s * vocab, row, 0, vocab);
            out.add(row);
        }
        return out;
    }

    /** Every linear layer of the blocks, in checkpoint order (the head is {@link #lmHead()}). */
    public List<Linear> linears() {
        List<Linear> all = new ArrayList<>();
        for (DecoderBlock block : blocks) {
            all.addAll(block.linears());
        }
        return all;
    }

    /** Total parameters (a tied head counted once). */
    public long parameterCount() {
        long count = embedding.length + finalNorm.length;
        if (lmHead.weight() != embedding) {
            count += lmHead.weight().length;
        }
        for (DecoderBlock block : blocks) {
            count += block.inputNorm().length + block.postAttentionNorm().length;
            if (block.attention().normalisesQk()) {
                count += block.attention().qNorm().length + block.attention().kNorm().length;
            }
            for (Linear linear : block.linears()) {
                count += linear.weight().length + (linear.bias() == null ? 0 : linear.bias().length);
            }
        }
        return count;
    }
}
