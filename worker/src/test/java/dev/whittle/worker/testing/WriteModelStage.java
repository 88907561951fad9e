package dev.whittle.worker.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

/**
 * A test stage that writes a model (a random one of the input's family) as its output; with {@code unregistrable}
 * its config.json is then spoilt, so that the stage succeeds but registering its output fails.
 */
@Component
public class WriteModelStage implements StageType<WriteModelStage.Parameters> {

    public record Parameters(Long seed, Boolean unregistrable) {
        public Parameters {
            seed = seed == null ? 7L : seed;
            unregistrable = unregistrable != null && unregistrable;
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
        if (p.unregistrable()) {
            Files.writeString(out.resolve(ModelConfig.FILE_NAME), "not a config");
        }
        try (Checkpoint written = Checkpoint.open(out)) {
            return Map.of("tensors", written.names().size(), "from", context.modelFolder().toString());
        }
    }
}
