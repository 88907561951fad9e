package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.LlamaConfigJson;
import dev.whittle.engine.model.ModelConfig;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A Llama decoder of a given shape with random weights, built in memory (no files) for benchmarks: tied embeddings,
 * as many KV heads as heads, norm weights 1, every other weight uniform with the variance of a 1/sqrt(fan-in)
 * initialisation, from a fixed seed.
 */
final class RandomLlama {

    private static final long SEED = 42;

    private RandomLlama() {
    }

    /** The config.json of such a model; a caller may add fields (a stored dtype, say) before {@link #load}. */
    static ObjectNode config(int hidden, int intermediate, int layers, int heads, int vocab, int maxPositions) {
        return LlamaConfigJson.of(hidden, intermediate, layers, heads, heads, vocab, maxPositions, true);
    }

    /** The decoder {@link #config} describes, with random weights. */
    static Decoder decoder(int hidden, int intermediate, int layers, int heads, int vocab, int maxPositions) {
        return load(config(hidden, intermediate, layers, heads, vocab, maxPositions));
    }

    /** A decoder of the model {@code config} describes, with random weights. */
    static Decoder load(ObjectNode config) {
        SplittableRandom random = new SplittableRandom(SEED);
        return DecoderLoader.load(ModelConfig.of(config), (name, shape) -> {
            int size = Math.toIntExact(shape[0] * (shape.length > 1 ? shape[1] : 1));
            float[] values = new float[size];
            if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            } else {
                float bound = (float) Math.sqrt(3.0 / shape[shape.length - 1]);
                for (int i = 0; i < size; i++) {
                    values[i] = (float) random.nextDouble(-bound, bound);
                }
            }
            return values;
        }, Progress.NONE);
    }
}
