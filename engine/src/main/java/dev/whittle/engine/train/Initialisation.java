package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fresh weights for training a decoder from scratch, as GPT-2 and the Hugging Face Llama initialise them:
 * weights and embeddings {@code N(0, std)} with {@code std} the config's {@code initializer_range} (0.02 when
 * absent), the projections that write into the residual stream ({@code o_proj}, {@code down_proj}, Mixtral's {@code w2}) scaled
 * down by {@code sqrt(2 x layers)} so the stream's variance does not grow with depth, norm weights 1, biases 0.
 * Each tensor draws from its own generator seeded by the run's seed and the tensor's name, so the values do not
 * depend on the order tensors are built in.
 */
public final class Initialisation {

    private static final double DEFAULT_STD = 0.02;

    private Initialisation() {
    }

    /** A decoder of {@code config}'s shape with fresh weights drawn from {@code seed}. */
    public static Decoder randomDecoder(ModelConfig config, long seed) {
        JsonNode range = config.get("initializer_range");
        double std = range != null && range.isNumber() ? range.asDouble() : DEFAULT_STD;
        double residualStd = std / Math.sqrt(2.0 * config.numHiddenLayers());
        return DecoderLoader.load(config, (name, shape) -> {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            float[] values = new float[Math.toIntExact(size)];
            if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                boolean residual = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight")
                        || name.endsWith(".w2.weight"); // a Mixtral expert's down projection
                double sd = residual ? residualStd : std;
                SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * sd);
                }
            }
            return values;
        }, Progress.NONE);
    }
}
