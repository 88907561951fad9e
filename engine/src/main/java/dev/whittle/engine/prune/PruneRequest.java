package dev.whittle.engine.prune;

import dev.whittle.engine.io.DType;

/**
 * A pruning run: the method with its parameters, the matrices it may touch, the calibration set (ignored by
 * magnitude pruning) and the stored dtype of the output (null: the source's).
 */
public record PruneRequest(PruneMethod method, TensorSelection tensors, CalibrationSettings calibration,
                           DType outputDtype) {

    public PruneRequest {
        if (method == null) {
            throw new PruneProblemException(new PruneProblem("method", "required (one of " + String.join(", ",
                    PruneMethod.NAMES) + ")"));
        }
        tensors = tensors == null ? TensorSelection.ALL_BLOCK_LINEARS : tensors;
        if (outputDtype != null && outputDtype != DType.F32 && outputDtype != DType.F16 && outputDtype != DType.BF16) {
            throw new PruneProblemException(new PruneProblem("dtype", "must be float32, float16 or bfloat16, not "
                    + outputDtype.torchName()));
        }
    }
}
