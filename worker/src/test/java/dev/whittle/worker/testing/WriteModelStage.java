package dev.whittle.worker.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

/** A test stage that writes a model (a random one of the input's family) as its output. */
@Component
public class WriteModelStage implements StageType<WriteModelStage.Parameters> {

    public record Parameters(Long seed) {
        public Parameters {
            seed = seed == null ? 7L : seed;
        }
    }

    @Override
    public String name() {
        return "WRITE_MODEL";
    }

    @Override
    public String description() {
        return "Test stage: writes a random model of the input's family.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public Object execute(Parameters p, StageContext context) throws Exception {
        StageRuns.record(context.jobId(), context.stageIndex());
        ModelConfig input = ModelConfig.load(context.modelFolder());
        Path out = context.outputFolder();
        TestModels.write(out, input.family(), p.seed());
        try (Checkpoint written = Checkpoint.open(out)) {
            return Map.of("tensors", written.names().size(), "from", context.modelFolder().toString());
        }
    }
}
