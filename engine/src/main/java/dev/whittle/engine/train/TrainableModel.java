package dev.whittle.engine.train;

import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.optim.ParameterSet;

/** What the {@link Trainer} trains: a model that can add the gradients of its loss on a batch to its parameters. */
public interface TrainableModel {

    /** The tensors training sees, with their gradient arrays (values shared with the model). */
    ParameterSet parameters();

    /**
     * Runs the forward and backward pass on one micro-batch: adds {@code lossScale} times the gradient of the
     * summed cross-entropy over the batch's scored targets to every trainable parameter's gradient, and returns
     * that summed (unscaled) loss.
     */
    double accumulateGradients(TrainingBatch batch, float lossScale);

    /** The summed cross-entropy over the batch's scored targets, without gradients (held-out validation). */
    double loss(TrainingBatch batch);

    /** Floating-point operations of one training step (forward and backward) per token, at this context length. */
    double trainingFlopsPerToken(int contextLength);

    /**
     * Bytes the forward and backward of one micro-batch of {@code sequences x length} tokens hold besides the
     * parameters, their gradients and the optimiser state (activations kept for the backward, work buffers).
     */
    long activationBytes(int sequences, int length);
}
