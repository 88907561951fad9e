package dev.whittle.engine.train.data;

import com.fasterxml.jackson.annotation.JsonAlias;

/**
 * Where the trainer draws its micro-batches: an endless, deterministic stream (epoch after epoch, each in a
 * seeded order) whose position is all a checkpoint needs to continue with exactly the same batches.
 */
public interface TrainingData {

    /**
     * Where a stream stands: the epoch, the next item (window or example) of its order, the generator's state at
     * the start of the epoch, and the batches drawn so far.
     */
    record Position(long epoch, @JsonAlias("nextWindow") int next, long epochRngState, long batchesDrawn) {
    }

    TrainingBatch next();

    Position position();

    /** Continues from a position this stream (same data and batch shape) reported before. */
    void seek(Position position);

    /** The most sequences a micro-batch holds, and the longest sequence: they bound its activations. */
    int sequences();

    int length();
}
