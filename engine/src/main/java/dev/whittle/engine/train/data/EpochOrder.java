package dev.whittle.engine.train.data;

/**
 * The order in which a data source visits its items (windows, examples): a fresh seeded permutation every
 * epoch, drawn from a {@link SplitMix64}. Its {@link TrainingData.Position} (epoch, next item, the generator's
 * state at the start of the epoch, batches drawn) is all a checkpoint needs to continue with the same batches.
 */
final class EpochOrder {

    private final int[] order;
    private final boolean shuffled;
    private long epoch;
    private int next;
    private long epochRngState;
    private long batchesDrawn;

    private EpochOrder(int items, long seed, boolean shuffled) {
        this.order = new int[items];
        this.shuffled = shuffled;
        startEpoch(0, seed);
    }

    /** A new permutation of {@code items} every epoch, the first from {@code seed}. */
    static EpochOrder shuffled(int items, long seed) {
        return new EpochOrder(items, seed, true);
    }

    /** The items in their own order, every epoch. */
    static EpochOrder sequential(int items) {
        return new EpochOrder(items, 0, false);
    }

    /** Items not yet taken in this epoch. */
    int remaining() {
        return order.length - next;
    }

    /** The item that {@link #take} will return. */
    int peek() {
        return order[next];
    }

    int take() {
        return order[next++];
    }

    /** Moves on to the next epoch's permutation (its seed drawn from this epoch's). */
    void nextEpoch() {
        startEpoch(epoch + 1, new SplitMix64(epochRngState).nextLong());
    }

    /** Counts a batch, for the position. */
    void batchDrawn() {
        batchesDrawn++;
    }

    TrainingData.Position position() {
        return new TrainingData.Position(epoch, next, epochRngState, batchesDrawn);
    }

    /** Continues from a position of this order; {@code items} names the items in the error. */
    void seek(TrainingData.Position position, String items) {
        if (position.next() < 0 || position.next() > order.length) {
            throw new IllegalArgumentException("item " + position.next() + " is outside these " + order.length + " "
                    + items + ": not the data the checkpoint was taken on");
        }
        startEpoch(position.epoch(), position.epochRngState());
        next = position.next();
        batchesDrawn = position.batchesDrawn();
    }

    private void startEpoch(long epoch, long rngState) {
        this.epoch = epoch;
        this.epochRngState = rngState;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffled) {
            new SplitMix64(rngState).shuffle(order);
        }
        next = 0;
    }
}
