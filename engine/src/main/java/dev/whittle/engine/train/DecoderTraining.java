package dev.whittle.engine.train;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.ops.CrossEntropy;
import dev.whittle.engine.train.optim.ParameterSet;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Decoder} as a {@link TrainableModel}: the model's own forward (keeping every block's activations),
 * then {@link DecoderBackward} from a {@link LogitLoss} (cross-entropy, or distillation from a teacher). The
 * parameters are the decoder's arrays, so training changes the decoder in place.
 */
public final class DecoderTraining implements TrainableModel {

    private final Decoder decoder;
    private final ParameterSet parameters;
    private final ForwardState state = ForwardState.forTraining();
    private final ForwardState evaluationState = ForwardState.forInference();
    private final DecoderBackward backward;

    /** Every weight trainable, cross-entropy on the scored targets. */
    public DecoderTraining(Decoder decoder) {
        this(decoder, DecoderParameters.of(decoder));
    }

    /** With a parameter set made from {@link DecoderParameters#of} (some frozen or masked, say). */
    public DecoderTraining(Decoder decoder, ParameterSet parameters) {
        this(decoder, parameters, LogitLoss.CROSS_ENTROPY, RouterLosses.NONE);
    }

    /** With another loss on the logits, such as {@code distill.TeacherLogits}. */
    public DecoderTraining(Decoder decoder, ParameterSet parameters, LogitLoss loss) {
        this(decoder, parameters, loss, RouterLosses.NONE);
    }

    /** A Mixture-of-Experts decoder trained with its router losses added to the cross-entropy. */
    public DecoderTraining(Decoder decoder, ParameterSet parameters, RouterLosses routerLosses) {
        this(decoder, parameters, LogitLoss.CROSS_ENTROPY, routerLosses);
    }

    /** With a loss on the logits and, for a Mixture-of-Experts decoder, its router losses. */
    public DecoderTraining(Decoder decoder, ParameterSet parameters, LogitLoss loss, RouterLosses routerLosses) {
        this.decoder = decoder;
        this.parameters = parameters;
        this.backward = new DecoderBackward(decoder, DecoderParameters.byArray(decoder, parameters), loss, routerLosses);
    }

    public Decoder decoder() {
        return decoder;
    }

    @Override
    public ParameterSet parameters() {
        return parameters;
    }

    @Override
    public double accumulateGradients(TrainingBatch batch, float lossScale) {
        adaptersTraining(true);
        try {
            Batch rows = rows(batch);
            decoder.forward(rows, state, ForwardHooks.NONE);
            return backward.run(rows, state, batch.targets(), lossScale);
        } finally {
            adaptersTraining(false);
        }
    }

    /** The summed cross-entropy of the batch's scored targets, forward only: the validation loss. */
    @Override
    public double loss(TrainingBatch batch) {
        Batch rows = rows(batch);
        decoder.forward(rows, evaluationState, ForwardHooks.NONE);
        int vocab = decoder.vocabSize();
        int chunk = Math.max(1, Math.min(rows.rows(), DecoderBackward.LOGITS_CHUNK_FLOATS / vocab));
        float[] logits = new float[chunk * vocab];
        double loss = 0;
        for (int r0 = 0; r0 < rows.rows(); r0 += chunk) {
            int n = Math.min(chunk, rows.rows() - r0);
            if (CrossEntropy.countSelected(n, batch.targets(), r0) > 0) {
                decoder.logits(evaluationState, r0, n, logits, 0, ForwardHooks.NONE);
                loss += CrossEntropy.forward(n, vocab, logits, 0, batch.targets(), r0, null);
            }
        }
        return loss;
    }

    /** LoRA dropout applies in the training forward and its backward only; the decoder is left in inference mode. */
    private void adaptersTraining(boolean on) {
        for (Linear linear : decoder.linears()) {
            if (linear.adapter() != null) {
                linear.adapter().training(on);
            }
        }
    }

    private static Batch rows(TrainingBatch batch) {
        List<int[]> sequences = new ArrayList<>(batch.sequences());
        for (int s = 0; s < batch.sequences(); s++) {
            sequences.add(batch.sequence(s));
        }
        return Batch.of(sequences);
    }

    /**
     * Per row, every block keeps the buffers of {@code BlockActivations} (hidden-sized: input, both norm outputs,
     * the stream after attention; q, k, v and attention's output; Qwen3's pre-norm q and k; the MLP's gate, up and
     * product; per-row statistics), the forward state two hidden rows, and the backward its work rows plus one
     * chunk of logits.
     */
    @Override
    public long activationBytes(int sequences, int length) {
        long rows = (long) sequences * length;
        int hidden = decoder.hiddenSize();
        long perRow = 2L * hidden + 1;
        long widestWork = 0;
        for (DecoderBlock block : decoder.blocks()) {
            var at = block.attention();
            long q = (long) at.heads() * at.headDim();
            long kv = (long) at.kvHeads() * at.headDim();
            long intermediate = block.mlp() instanceof SwiGluMlp mlp ? mlp.intermediate() : 0;
            perRow += 4L * hidden + 2 * q + 2 * kv + at.heads() + 2 + 3 * intermediate
                    + (at.normalisesQk() ? q + kv + at.heads() + at.kvHeads() : 0);
            widestWork = Math.max(widestWork, 2L * hidden + 2 * q + 2 * kv + intermediate);
            if (block.mlp() instanceof MoeFeedForward sparse) {
                perRow += MoeBackward.forwardFloatsPerRow(sparse);
                widestWork = Math.max(widestWork, 2L * hidden + 2 * q + 2 * kv + MoeBackward.workFloatsPerRow(sparse));
            }
        }
        long logits = Math.min(rows, DecoderBackward.LOGITS_CHUNK_FLOATS / decoder.vocabSize()) * decoder.vocabSize();
        return Float.BYTES * (rows * (perRow + widestWork) + logits);
    }

    /**
     * {@code 6 x} the weights that multiply activations (every linear layer, the head included even when tied to
     * the embedding; the embedding lookup itself is no arithmetic), plus causal attention: per layer and token,
     * scores and weighted values over {@code (T+1)/2} positions on average, {@code 2 x 2 x qDim x (T+1)/2} flops
     * forward and twice that backward. The backward's recomputation of the probabilities is not counted: this is
     * the useful work, as model-flops utilisation counts it.
     */
    @Override
    public double trainingFlopsPerToken(int contextLength) {
        double matmulWeights = (double) decoder.lmHead().out() * decoder.lmHead().in();
        double attention = 0;
        for (DecoderBlock block : decoder.blocks()) {
            if (block.mlp() instanceof MoeFeedForward sparse) {
                // Only the experts a token is routed to work on it.
                for (Linear linear : block.attention().linears()) {
                    matmulWeights += (double) linear.out() * linear.in();
                }
                matmulWeights += MoeBackward.activeWeightsPerToken(sparse);
            } else {
                for (Linear linear : block.linears()) {
                    matmulWeights += (double) linear.out() * linear.in();
                }
            }
            double qDim = block.attention().heads() * block.attention().headDim();
            attention += 3 * 2 * 2 * qDim * (contextLength + 1) / 2.0;
        }
        return 6 * matmulWeights + attention;
    }
}
