package dev.whittle.worker.inspect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.whittle.engine.inspect.ModelInspector;
import dev.whittle.engine.inspect.ModelReport;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;

/**
 * INSPECT: what a model folder holds, without loading its weights. The result is the engine's
 * {@link ModelReport}: family and architecture counts, parameter count, per-tensor dtype, shape, bytes and
 * fraction of exact zeros and count of NaN or infinite values, the same per layer, and the SHA-256 of every file. Progress is in bytes read.
 */
@Component
public class InspectStage implements StageType<InspectStage.Parameters> {

    private final StorageRoots roots;

    public InspectStage(StorageRoots roots) {
        this.roots = roots;
    }

    /** The folder itself (a stage's output in the job's workspace) and the model roots: where links may lead. */
    private List<Path> within(Path folder) {
        List<Path> within = new ArrayList<>(roots.modelFileRoots());
        within.add(folder);
        return within;
    }

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
        return ModelInspector.inspect(context.modelFolder(), within(context.modelFolder()), context.progress());
    }
}
