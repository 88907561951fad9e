package dev.whittle.engine.train.distill;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.train.LogitLoss;
import dev.whittle.engine.train.ops.LogitDistillation;

/**
 * Logit distillation with the teacher running beside the student: each micro-batch goes through the teacher's
 * forward first (an inference state, nothing kept for a backward), and each chunk of the student's logits is met
 * by the teacher's logits for the same rows, computed just then.
 * <p>
 * Why not cache the teacher's top-k logits ahead of training: running it gives the exact KL over the whole
 * vocabulary (a top-k cache truncates the teacher's distribution and biases the gradient toward the k tokens), the
 * extra memory is one inference state and one chunk of logits (small beside the student's training state at the
 * sizes this engine trains), and nothing has to be stored per token of the dataset ({@code k x 2} numbers per
 * token per epoch otherwise). The cost is one teacher forward per student step, about a third of a training step
 * for a teacher of the student's size.
 */
public final class TeacherLogits implements LogitLoss {

    private final Decoder teacher;
    private final LogitDistillation.Config config;
    private final ForwardState state = ForwardState.forInference();
    private float[] teacherLogits = new float[0];

    /** Fails naming both sizes when the teacher's vocabulary is not the student's. */
    public TeacherLogits(Decoder teacher, int studentVocab, LogitDistillation.Config config) {
        if (teacher.vocabSize() != studentVocab) {
            throw new IllegalArgumentException("the teacher's vocabulary has " + teacher.vocabSize()
                    + " tokens and the student's " + studentVocab + ": logits can only be distilled between models "
                    + "of the same vocabulary");
        }
        this.teacher = teacher;
        this.config = config;
    }

    @Override
    public void prepare(Batch batch) {
        teacher.forward(batch, state, ForwardHooks.NONE);
    }

    @Override
    public double lossAndGradient(int firstRow, int rows, int vocab, float[] logits, int[] targets, float lossScale) {
        if (teacherLogits.length < rows * vocab) {
            teacherLogits = new float[rows * vocab];
        }
        teacher.logits(state, firstRow, rows, teacherLogits, 0, ForwardHooks.NONE);
        double loss = LogitDistillation.forward(rows, vocab, logits, 0, teacherLogits, 0, targets, firstRow, config);
        LogitDistillation.backward(rows, vocab, logits, 0, teacherLogits, 0, targets, firstRow, config, lossScale,
                logits, 0);
        return loss;
    }
}
