package dev.whittle.engine.train;

import dev.whittle.engine.model.Embedding;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.RmsNorm;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.ops.CrossEntropy;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;

import java.util.List;
import java.util.Random;

/**
 * A next-token model small enough for loop tests and made of the real ops: embedding, RMSNorm, a linear head,
 * cross-entropy. It learns bigram statistics, which is enough to see the loss fall and to compare runs.
 */
final class TinyLanguageModel implements TrainableModel {

    private final int vocab;
    private final int dim;
    private final Parameter embedding;
    private final Parameter norm;
    private final Parameter head;
    private final ParameterSet parameters;

    TinyLanguageModel(int vocab, int dim, long seed) {
        this.vocab = vocab;
        this.dim = dim;
        Random random = new Random(seed);
        float[] e = new float[vocab * dim];
        float[] h = new float[vocab * dim];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) (random.nextGaussian() * 0.5);
            h[i] = (float) (random.nextGaussian() * 0.1);
        }
        float[] n = new float[dim];
        java.util.Arrays.fill(n, 1f);
        embedding = Parameter.trainable("model.embed_tokens.weight", new int[]{vocab, dim}, e);
        norm = Parameter.trainable("model.norm.weight", new int[]{dim}, n);
        head = Parameter.trainable("lm_head.weight", new int[]{vocab, dim}, h);
        parameters = new ParameterSet(List.of(embedding, norm, head));
    }

    @Override
    public ParameterSet parameters() {
        return parameters;
    }

    @Override
    public double loss(TrainingBatch batch) {
        int rows = batch.tokens();
        float[] x = new float[rows * dim];
        float[] normed = new float[rows * dim];
        float[] logits = new float[rows * vocab];
        Embedding.forward(rows, batch.inputs(), 0, embedding.value(), vocab, dim, x, 0);
        RmsNorm.forward(rows, dim, x, 0, norm.value(), 1e-5f, normed, 0, new float[rows], 0);
        new Linear("lm_head", vocab, dim, head.value(), null).forward(rows, normed, 0, logits, 0, ForwardHooks.NONE);
        return CrossEntropy.forward(rows, vocab, logits, 0, batch.targets(), 0, null);
    }

    @Override
    public double accumulateGradients(TrainingBatch batch, float lossScale) {
        int rows = batch.tokens();
        float[] x = new float[rows * dim];
        float[] normed = new float[rows * dim];
        float[] invRms = new float[rows];
        float[] logits = new float[rows * vocab];
        Embedding.forward(rows, batch.inputs(), 0, embedding.value(), vocab, dim, x, 0);
        RmsNorm.forward(rows, dim, x, 0, norm.value(), 1e-5f, normed, 0, invRms, 0);
        Linear lmHead = new Linear("lm_head", vocab, dim, head.value(), null);
        lmHead.forward(rows, normed, 0, logits, 0, ForwardHooks.NONE);
        double loss = CrossEntropy.forward(rows, vocab, logits, 0, batch.targets(), 0, null);

        CrossEntropy.backward(rows, vocab, logits, 0, batch.targets(), 0, lossScale, logits, 0);
        float[] dNormed = new float[rows * dim];
        lmHead.backward(rows, normed, 0, logits, 0, dNormed, 0, false, head.grad(), null);
        RmsNorm.backward(rows, dim, x, 0, norm.value(), invRms, 0, dNormed, 0, dNormed, 0, false, norm.grad());
        Embedding.backward(rows, batch.inputs(), 0, dim, dNormed, 0, embedding.grad());
        return loss;
    }

    @Override
    public long activationBytes(int sequences, int length) {
        return 4L * sequences * length * (3L * dim + 1 + vocab);
    }

    @Override
    public double trainingFlopsPerToken(int contextLength) {
        return 6.0 * vocab * dim;
    }
}
