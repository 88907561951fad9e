package dev.whittle.lab.bench;

import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prefill of a 512-token prompt through a ~110M-parameter Llama-shaped model with random weights, built in memory
 * (hidden 768, 12 layers of 12 heads, intermediate 2048, vocabulary 32000, tied head): the whole forward plus the
 * last position's logits, as generation runs it. GFLOPS count the multiply-adds of the linear layers, of causal
 * attention and of the head row.
 */
final class PrefillBench implements Benchmark {

    private static final int HIDDEN = 768;
    private static final int LAYERS = 12;
    private static final int HEADS = 12;
    private static final int INTERMEDIATE = 2048;
    private static final int VOCAB = 32000;
    private static final int TOKENS = 512;

    @Override
    public String name() {
        return "prefill";
    }

    @Override
    public String description() {
        return "prefill tokens/s and GFLOPS: 512 tokens through a ~110M-parameter Llama-shaped random model";
    }

    @Override
    public void run(Report report) {
        Decoder decoder = RandomLlama.decoder(HIDDEN, INTERMEDIATE, LAYERS, HEADS, VOCAB, 2048);
        int[] tokens = new SplittableRandom(7).ints(TOKENS, 0, VOCAB).toArray();
        ForwardState state = ForwardState.forInference();
        double seconds = Report.secondsPerCall(() -> decoder.lastLogits(Batch.of(tokens), state), 3.0);
        double flops = prefillFlops(decoder, TOKENS);
        report.gflops(String.format(Locale.ROOT, "prefill %d tokens, %.0fM-param llama", TOKENS,
                        decoder.parameterCount() / 1e6), flops / seconds / 1e9,
                String.format(Locale.ROOT, "(%.0f tokens/s, %.1f ms)", TOKENS / seconds, seconds * 1e3));
    }

    /** Floating-point operations of a prefill of {@code t} tokens that ends with one row of logits. */
    static double prefillFlops(Decoder decoder, int t) {
        double flops = 2.0 * decoder.hiddenSize() * decoder.vocabSize();
        for (DecoderBlock block : decoder.blocks()) {
            for (Linear linear : block.linears()) {
                flops += 2.0 * t * linear.out() * linear.in();
            }
            // q k^T and p v over the causal triangle: row i sees i + 1 keys.
            int width = block.attention().heads() * block.attention().headDim();
            flops += 2.0 * 2.0 * width * t * (t + 1) / 2.0;
        }
        return flops;
    }
}
