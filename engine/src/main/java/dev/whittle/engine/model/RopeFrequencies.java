package dev.whittle.engine.model;

/**
 * The rotary inverse frequencies a config implies: {@code theta^(-2i/d)} for the rotated part of a head, with
 * the config's {@link RopeScaling} applied as transformers' {@code ROPE_INIT_FUNCTIONS} compute them (default,
 * linear, dynamic NTK, llama3). Double precision; transformers works in fp32, so values agree to fp32 rounding.
 */
public final class RopeFrequencies {

    private RopeFrequencies() {
    }

    /** The frequencies for the model's context ({@link #of(ModelConfig, int)} at max positions). */
    public static double[] of(ModelConfig config) {
        return of(config, config.maxPositionEmbeddings());
    }

    /**
     * The {@code rotaryDim/2} inverse frequencies for sequences of {@code seqLen} positions. {@code seqLen} only
     * matters for dynamic scaling, which grows the base once a sequence exceeds {@code max_position_embeddings}.
     */
    public static double[] of(ModelConfig config, int seqLen) {
        int dim = (int) (config.headDim() * config.partialRotaryFactor());
        int maxPositions = config.maxPositionEmbeddings();
        RopeScaling scaling = config.ropeScaling();
        double base = config.ropeTheta();
        String type = scaling == null ? "default" : scaling.type();
        if (type.equals("dynamic") && seqLen > maxPositions) {
            double factor = scaling.factor();
            base = base * Math.pow(factor * seqLen / maxPositions - (factor - 1), dim / (dim - 2.0));
        }
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        }
        return switch (type) {
            case "default", "dynamic" -> inv;
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= scaling.factor();
                }
                yield inv;
            }
            case "llama3" -> llama3(inv, scaling);
            default -> throw new UnsupportedOperationException((config.source() == null ? "config" : config.source().toString())
                    + ": rope_scaling type '" + type + "' is not supported (supported: default, linear, dynamic, llama3)");
        };
    }

    /** transformers' {@code _compute_llama3_parameters}: long wavelengths slowed by factor, a smooth band between. */
    private static double[] llama3(double[] inv, RopeScaling s) {
        double oldContext = s.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContext / s.lowFreqFactor();
        double highFreqWavelen = oldContext / s.highFreqFactor();
        double[] out = new double[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highFreqWavelen) {
                out[i] = inv[i];
            } else if (wavelen > lowFreqWavelen) {
                out[i] = inv[i] / s.factor();
            } else {
                double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
            }
        }
        return out;
    }
}
