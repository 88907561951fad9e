package dev.whittle.engine.quant;

import dev.whittle.engine.prune.PruneStatistics;

import java.util.List;

/**
 * What a quantization run produced, as stored with the model and returned by the API.
 *
 * @param method            the method's name
 * @param settings          its parameters
 * @param layers            every quantized linear weight, with its reconstruction error
 * @param quantizedWeights  weights quantized
 * @param bitsPerWeight     of the quantized linears, codes, scales and zero points together as the format stores them
 * @param meanOutputError   the mean over layers of {@link QuantizedLayer#outputError}; null without calibration
 * @param fileBytes         the output folder's files together
 * @param weightBytes       its safetensors files
 * @param scaleDtype        the dtype scales are stored in (the input's)
 * @param calibration       the calibration set; null for rtn
 * @param warnings          things the user should know
 */
public record QuantizeStatistics(String method, QuantizeParameters settings, List<QuantizedLayer> layers, long quantizedWeights,
                                 double bitsPerWeight, Double meanOutputError, long fileBytes, long weightBytes,
                                 String scaleDtype, PruneStatistics.CalibrationSummary calibration,
                                 List<String> warnings) {

    /**
     * One quantized matrix.
     *
     * @param name        its tensor name
     * @param rows        outputs
     * @param cols        inputs
     * @param weightError {@code ||W - Q||_F^2 / ||W||_F^2}
     * @param outputError on the calibration inputs {@code X} that reached it,
     *                    {@code ||(W - Q) X^T||^2 / ||W X^T||^2}; null without calibration
     */
    public record QuantizedLayer(String name, int rows, int cols, double weightError, Double outputError) {
    }
}
