package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Rope;

/**
 * The rotary tables shared by every block, grown on demand: a model that allows 128k positions should not pay
 * for a 128k-row table to score a 512-token window.
 */
public final class RotaryEmbedding {

    private static final int INITIAL_POSITIONS = 4096;
    private final float[] invFreq;
    private volatile Rope rope;

    RotaryEmbedding(float[] invFreq) {
        this.invFreq = invFreq.clone();
        this.rope = new Rope(this.invFreq, INITIAL_POSITIONS);
    }

    /** The table covering positions {@code [0, end)}. */
    public Rope covering(int end) {
        Rope current = rope;
        if (end <= current.maxPositions()) {
            return current;
        }
        synchronized (this) {
            if (end > rope.maxPositions()) {
                rope = new Rope(invFreq, (int) Math.min(Integer.MAX_VALUE / invFreq.length, Math.max(end, 2L * rope.maxPositions())));
            }
            return rope;
        }
    }
}
