package dev.whittle.worker.testing;

import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

/** A test stage that fails with the message it is given, or by running out of memory ({@code outOfMemory}). */
@Component
public class FailStage implements StageType<FailStage.Parameters> {

    public record Parameters(String message, Boolean outOfMemory) {
    }

    @Override
    public String name() {
        return "FAIL";
    }

    @Override
    public String description() {
        return "Test stage: fails.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public Object execute(Parameters p, StageContext context) {
        StageRuns.record(context.jobId(), context.stageIndex());
        if (Boolean.TRUE.equals(p.outOfMemory())) {
            long[] tooLarge = new long[Integer.MAX_VALUE]; // OutOfMemoryError: more than any array may hold
            return tooLarge.length;
        }
        throw new IllegalStateException(p.message() == null ? "failed on purpose" : p.message());
    }
}
