package dev.whittle.worker.inspect;

import dev.whittle.engine.inspect.ModelInspector;
import dev.whittle.engine.inspect.ModelReport;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

/**
 * INSPECT: what a model folder holds, without loading its weights. The result is the engine's
 * {@link ModelReport}: family and architecture counts, parameter count, per-tensor dtype, shape, bytes and
 * fraction of exact zeros, the same per layer, and the SHA-256 of every file. Progress is in bytes read.
 */
@Component
public class InspectStage implements StageType<InspectStage.Parameters> {

    /** INSPECT takes no parameters: it always reads everything. */
    public record Parameters() {
    }

    @Override
    public String name() {
        return "INSPECT";
    }

    @Override
    public String description() {
        return "Reads config.json and every safetensors header, then streams each file once for checksums and "
                + "exact-zero counts; reports architecture, parameters, and per tensor, layer and file details.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public ModelReport execute(Parameters parameters, StageContext context) throws Exception {
        return ModelInspector.inspect(context.modelFolder(), context.progress());
    }
}
