package dev.whittle.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The run state of a forward pass: the residual stream, the final norm's output and the blocks' activations.
 * For inference, blocks of one shape share a single {@link BlockActivations} (overwritten block after block);
 * for training, every block keeps its own, so the backward pass finds each block's intermediates. Reusing a
 * state across calls reuses its buffers.
 */
public final class ForwardState {

    private final boolean perBlock;
    private final List<BlockActivations> activations = new ArrayList<>();
    private int hiddenSize;
    private int capacity = -1;

    /** {@code [rows x hidden]}: the residual stream; after a forward, the last block's output. */
    public float[] hidden;
    /** {@code [rows x hidden]}: the final RMSNorm of {@link #hidden}, which the head reads; and {@code [rows]} its 1/rms. */
    public float[] normed;
    public float[] finalInvRms;

    private ForwardState(boolean perBlock) {
        this.perBlock = perBlock;
    }

    /** Buffers shared between blocks: the least memory, nothing kept for a backward pass. */
    public static ForwardState forInference() {
        return new ForwardState(false);
    }

    /** One set of activations per block (log-sum-exp included), as the backward pass needs them. */
    public static ForwardState forTraining() {
        return new ForwardState(true);
    }

    /** The activations of the block at {@code position} after a forward (training state only). */
    public BlockActivations block(int position) {
        if (!perBlock) {
            throw new IllegalStateException("an inference state shares its activations between blocks");
        }
        return activations.get(position);
    }

    void ensure(int rows, int hiddenSize) {
        if (rows > capacity || hiddenSize != this.hiddenSize) {
            hidden = new float[BlockActivations.size(rows, hiddenSize)];
            normed = new float[BlockActivations.size(rows, hiddenSize)];
            finalInvRms = new float[rows];
            capacity = rows;
            this.hiddenSize = hiddenSize;
        }
    }

    /** The buffers {@code block} at {@code position} writes into. */
    BlockActivations activationsFor(int position, DecoderBlock block) {
        if (perBlock) {
            while (activations.size() <= position) {
                activations.add(null);
            }
            BlockActivations a = activations.get(position);
            if (a == null || !a.shape().equals(block.shape())) {
                a = block.newActivations(true);
                activations.set(position, a);
            }
            return a;
        }
        DecoderBlock.Shape shape = block.shape();
        for (BlockActivations a : activations) {
            if (a.shape().equals(shape)) {
                return a;
            }
        }
        BlockActivations a = block.newActivations(false);
        activations.add(a);
        return a;
    }
}
