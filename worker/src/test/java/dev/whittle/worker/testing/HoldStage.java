package dev.whittle.worker.testing;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.stereotype.Component;

/**
 * A test stage: does {@code units} units of work, reporting each and checking for cancellation between them,
 * and before each unit waits while the test holds {@code key}. It leaves a scratch file in its workspace, as a
 * real stage's partial output would be. Records how often it ran ({@link StageRuns}).
 */
@Component
public class HoldStage implements StageType<HoldStage.Parameters> {

    /**
     * @param key   the hold to wait on (none: never waits)
     * @param units units of work, 1 to 100
     */
    public record Parameters(String key, @Min(1) @Max(100) Integer units) {
        public Parameters {
            units = units == null ? 1 : units;
        }
    }

    @Override
    public String name() {
        return "HOLD";
    }

    @Override
    public String description() {
        return "Test stage: works in units, waiting while the test holds its key.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public List<FieldProblem> validate(Parameters p) {
        return p.key() != null && p.key().isBlank() ? List.of(new FieldProblem("key", "must not be blank")) : List.of();
    }

    @Override
    public Object execute(Parameters p, StageContext context) throws Exception {
        StageRuns.record(context.jobId(), context.stageIndex());
        Files.writeString(context.outputFolder().resolveSibling("scratch.bin"), "partial");
        for (int unit = 0; unit < p.units(); unit++) {
            while (Holds.held(p.key())) {
                context.progress().checkCancelled();
                Thread.sleep(20);
            }
            context.progress().checkCancelled();
            context.progress().report("unit", unit + 1, p.units(), null);
        }
        return Map.of("units", p.units());
    }
}
