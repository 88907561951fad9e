package dev.whittle.lab.bench;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.MixtralConfigJson;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.RouterLosses;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.optim.AdamW;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One training update of a reference-sized Llama (hidden 256, 6 layers of 8 heads, intermediate 704, vocabulary
 * 4096, tied head: about 6M parameters) on 16 sequences of 256 tokens: forward keeping activations, loss,
 * backward, AdamW; then a Mixtral of the same attention whose 8 experts (2 per token) hold as many active MLP weights
 * (router losses on, as the MoE reference trains). GFLOPS count the model flops of training (6 x the weights that multiply activations per
 * token, plus causal attention), as the trainer reports them; the forward alone is timed too, to split the step.
 */
final class TrainStepBench implements Benchmark {

    private static final int HIDDEN = 256;
    private static final int LAYERS = 6;
    private static final int HEADS = 8;
    private static final int INTERMEDIATE = 704;
    private static final int EXPERTS = 8;
    private static final int TOP_K = 2;
    private static final int EXPERT_INTERMEDIATE = INTERMEDIATE / TOP_K;
    private static final int VOCAB = 4096;
    private static final int SEQUENCES = 16;
    private static final int CONTEXT = 256;

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String description() {
        return "training update of a ~6M-parameter Llama and of a Mixtral of as many active weights (8 experts of "
                + "352, top 2) on 16 x 256 tokens (forward, backward, AdamW)";
    }

    @Override
    public void run(Report report) {
        step(report, "llama", RandomLlama.decoder(HIDDEN, INTERMEDIATE, LAYERS, HEADS, VOCAB, 1024));
        // The same attention and as many active MLP weights per token: 2 of 8 experts of half the dense width.
        step(report, "mixtral 8x352 top-2", RandomLlama.load(MixtralConfigJson.of(
                RandomLlama.config(HIDDEN, EXPERT_INTERMEDIATE, LAYERS, HEADS, VOCAB, 1024), EXPERTS, TOP_K, 0.01)));
    }

    private static void step(Report report, String label, Decoder decoder) {
        DecoderTraining training = new DecoderTraining(decoder, DecoderParameters.of(decoder),
                new RouterLosses(0.01, 0.001));
        AdamW adam = new AdamW(training.parameters(), AdamW.Config.languageModel());
        SplittableRandom random = new SplittableRandom(3);
        int tokens = SEQUENCES * CONTEXT;
        TrainingBatch batch = new TrainingBatch(SEQUENCES, CONTEXT, random.ints(tokens, 0, VOCAB).toArray(),
                random.ints(tokens, 0, VOCAB).toArray());
        float scale = 1f / tokens;

        double step = Report.secondsPerCall(() -> {
            training.parameters().zeroGrads();
            training.accumulateGradients(batch, scale);
            adam.update(1e-4);
        }, 6.0);
        List<int[]> sequences = new ArrayList<>();
        for (int s = 0; s < SEQUENCES; s++) {
            sequences.add(batch.sequence(s));
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapInUse = rt.totalMemory() - rt.freeMemory();
        ForwardState state = ForwardState.forTraining();
        double forward = Report.secondsPerCall(() -> decoder.forward(Batch.of(sequences), state, ForwardHooks.NONE), 2.0);
        double flops = training.trainingFlopsPerToken(CONTEXT) * tokens;
        report.gflops(String.format(Locale.ROOT, "train step %dx%d, %.1fM-param %s", SEQUENCES, CONTEXT,
                        decoder.parameterCount() / 1e6, label), flops / step / 1e9,
                String.format(Locale.ROOT, "(%.0f tokens/s, %.0f ms/step: forward %.0f ms, rest %.0f ms)",
                        tokens / step, step * 1e3, forward * 1e3, (step - forward) * 1e3));
        report.line(String.format(Locale.ROOT, "  memory: %.0f MiB of weights, gradients and moments, %.0f MiB of "
                        + "activations and work buffers for %d tokens (estimate); heap in use %.0f MiB",
                16.0 * decoder.parameterCount() / 1048576.0, training.activationBytes(SEQUENCES, CONTEXT) / 1048576.0,
                tokens, heapInUse / 1048576.0));
    }
}
