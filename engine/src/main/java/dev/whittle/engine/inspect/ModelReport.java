package dev.whittle.engine.inspect;

import java.util.List;

/**
 * What {@link ModelInspector} found in a model folder. Plain records of strings, numbers and lists, so the tree
 * serialises to JSON as it is (the INSPECT stage's result, the model registry's summary).
 *
 * @param path                 the model folder
 * @param architecture         the config's architecture counts and sizes
 * @param parameterCount       elements of every tensor in the weights
 * @param configParameterCount parameters the config implies (differs from {@code parameterCount} when the
 *                             weights hold extra or missing tensors)
 * @param tensorBytes          bytes of tensor data
 * @param fileBytes            bytes of every file in the folder
 * @param zeros                exact zeros (+0 and -0) over all tensors
 * @param zeroFraction         {@code zeros / parameterCount}
 * @param nonFinite            NaN and infinite elements over all tensors (PRUNE, DISTILL and EVALUATE refuse such weights)
 * @param dtypes               tensor count per stored dtype, e.g. {@code BF16: 146}
 * @param files                every regular file of the folder with its sha256
 * @param layers               per decoder block (tensors named {@code ...layers.N....})
 * @param tensors              every tensor, in file order
 */
public record ModelReport(String path, Architecture architecture, long parameterCount, long configParameterCount,
        long tensorBytes, long fileBytes, long zeros, double zeroFraction, long nonFinite,
        java.util.Map<String, Integer> dtypes,
        List<FileReport> files, List<LayerReport> layers, List<TensorReport> tensors) {

    /** The config's view of the model. Expert fields are 0 for dense families. */
    public record Architecture(String family, String architecture, String modelType, String torchDtype,
            boolean mixtureOfExperts, int layers, int hiddenSize, int intermediateSize, int attentionHeads,
            int keyValueHeads, int headDim, int vocabSize, int maxPositionEmbeddings, boolean tiedEmbeddings,
            double ropeTheta, String ropeScaling, int experts, int expertsPerToken, int expertIntermediateSize,
            int sharedExpertIntermediateSize) {
    }

    /** One file of the folder: size, checksum, and how many tensors it holds (0 for non-weight files). */
    public record FileReport(String name, long bytes, String sha256, int tensors) {
    }

    /** One decoder block: its tensors' parameters, bytes and exact zeros. */
    public record LayerReport(int index, int tensors, long parameters, long bytes, long zeros, double zeroFraction) {
    }

    /** One tensor. {@code layer} is the block index, or null for tensors outside the blocks; {@code nonFinite} its NaN and infinite elements. */
    public record TensorReport(String name, String file, String dtype, long[] shape, long parameters, long bytes,
            long zeros, double zeroFraction, long nonFinite, Integer layer) {
    }
}
