package dev.whittle.engine.model;

/**
 * config.json's {@code rope_scaling} (or the {@code rope_parameters} of newer transformers): the type
 * ({@code rope_type}, or the older {@code type}) and the parameters the supported types use. Absent numbers
 * are NaN / 0.
 *
 * @param type                          "llama3", "linear", "dynamic", "yarn", ... ("default" means none)
 * @param factor                        context extension factor
 * @param lowFreqFactor                 llama3: wavelengths above original/low are divided by factor
 * @param highFreqFactor                llama3: wavelengths below original/high are kept
 * @param originalMaxPositionEmbeddings llama3/yarn: the context length before extension (0 if absent)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) {

    public boolean isDefault() {
        return type == null || type.equals("default");
    }
}
