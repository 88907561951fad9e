package dev.whittle.worker.testing;

import java.util.List;
import java.util.Map;

import dev.whittle.worker.losscurve.LossCurve;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

/** A test stage whose result is the loss curve its parameters give, as a training stage's result holds one. */
@Component
public class LossCurveStage implements StageType<LossCurveStage.Parameters> {

    public record Parameters(List<LossCurve.Point> lossCurve) {
        public Parameters {
            lossCurve = lossCurve == null ? List.of() : List.copyOf(lossCurve);
        }
    }

    @Override
    public String name() {
        return "LOSS_CURVE";
    }

    @Override
    public String description() {
        return "Test stage: returns the loss curve it is given.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public Object execute(Parameters p, StageContext context) {
        StageRuns.record(context.jobId(), context.stageIndex());
        return Map.of("steps", p.lossCurve().size(), LossCurve.FIELD, p.lossCurve());
    }
}
