package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.BlockActivations;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Embedding;
import dev.whittle.engine.model.ForwardHooks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The calibration samples walked through a decoder one block at a time, as the official Wanda and SparseGPT code
 * does: memory holds the hidden states entering the current block ({@code samples x length x hidden} floats, one
 * array per sample) and one block's activations for one sample, never the whole model's. Starts with the
 * embeddings, the inputs of block 0; {@link #observe} runs a block with hooks without moving on, {@link #advance}
 * runs it in place so the states become the next block's inputs (call it after pruning the block, so the next
 * block sees the pruned model's activations).
 */
public final class BlockSequence {

    private final Decoder decoder;
    private final List<Batch> batches;
    private final float[][] states;
    private final int hidden;
    private final Map<DecoderBlock.Shape, BlockActivations> activations = new HashMap<>();
    private float[] scratch;
    private long forwardNanos;

    public BlockSequence(Decoder decoder, CalibrationWindows windows) {
        this.decoder = decoder;
        this.hidden = decoder.hiddenSize();
        this.batches = windows.windows().stream().map(Batch::of).toList();
        int length = windows.length();
        long values = (long) length * hidden;
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a calibration window of " + length + " tokens x hidden " + hidden
                    + " does not fit one array; use a shorter seqlen");
        }
        this.states = new float[windows.samples()][];
        long start = System.nanoTime();
        for (int s = 0; s < states.length; s++) {
            int[] tokens = windows.windows().get(s);
            states[s] = new float[(int) values];
            Embedding.forward(length, tokens, 0, decoder.embedding(), decoder.embeddingRows(), hidden, states[s], 0);
        }
        forwardNanos += System.nanoTime() - start;
    }

    /** Runs block {@code position} over every sample with {@code hooks}, on copies: the states stay where they are. */
    public void observe(int position, ForwardHooks hooks, Runnable beforeEachSample, Progress progress) {
        DecoderBlock block = decoder.blocks().get(position);
        if (scratch == null) {
            scratch = new float[states[0].length];
        }
        for (int s = 0; s < states.length; s++) {
            progress.checkCancelled();
            beforeEachSample.run();
            System.arraycopy(states[s], 0, scratch, 0, scratch.length);
            long start = System.nanoTime();
            block.forward(batches.get(s), position, scratch, activationsFor(block), hooks);
            forwardNanos += System.nanoTime() - start;
        }
    }

    /** Runs block {@code position} over every sample in place: the states become the inputs of the next block. */
    public void advance(int position, Progress progress) {
        advance(position, decoder.blocks().get(position), progress);
    }

    /**
     * Runs {@code block} in place of the decoder's block at {@code position} (a pruned copy of a different shape,
     * say): the states become the inputs of the next block.
     */
    public void advance(int position, DecoderBlock block, Progress progress) {
        for (int s = 0; s < states.length; s++) {
            progress.checkCancelled();
            long start = System.nanoTime();
            block.forward(batches.get(s), position, states[s], activationsFor(block), ForwardHooks.NONE);
            forwardNanos += System.nanoTime() - start;
        }
    }

    /** The hidden states {@code [length x hidden]} of sample {@code s} at the current block boundary. */
    float[] state(int s) {
        return states[s];
    }

    int samples() {
        return states.length;
    }

    /** Nanoseconds spent in block forwards (hooks included) and the embedding lookup. */
    public long forwardNanos() {
        return forwardNanos;
    }

    private BlockActivations activationsFor(DecoderBlock block) {
        return activations.computeIfAbsent(block.shape(), shape -> block.newActivations(false));
    }
}
