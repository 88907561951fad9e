package dev.whittle.worker.losscurve;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A training stage's loss per step, as its result's {@value #FIELD} array holds it: {@code {step, loss,
 * validationLoss}}, the validation loss only at the steps where it was measured. Any stage whose result has that
 * array has a loss curve; nothing else about the stage matters.
 */
public record LossCurve(List<Point> points) {

    /** The field of a stage's result that holds its curve. */
    public static final String FIELD = "lossCurve";

    /** One step: its training loss and, where measured, its validation loss (else null). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(long step, double loss, Double validationLoss) {
    }

    public LossCurve {
        points = List.copyOf(points);
    }

    /**
     * The curve in a stage's result; empty when the result has no {@value #FIELD} array.
     *
     * @throws IllegalArgumentException when the array holds an entry without a numeric step and loss
     */
    public static Optional<LossCurve> of(JsonNode stageResult) {
        JsonNode curve = stageResult == null ? null : stageResult.get(FIELD);
        if (curve == null || !curve.isArray()) {
            return Optional.empty();
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < curve.size(); i++) {
            JsonNode point = curve.get(i);
            JsonNode step = point.get("step");
            JsonNode loss = point.get("loss");
            if (step == null || !step.isIntegralNumber() || loss == null || !loss.isNumber()) {
                throw new IllegalArgumentException(FIELD + "[" + i + "] needs an integer step and a numeric loss: "
                        + point);
            }
            JsonNode validation = point.get("validationLoss");
            points.add(new Point(step.asLong(), loss.asDouble(),
                    validation == null || !validation.isNumber() ? null : validation.asDouble()));
        }
        return Optional.of(new LossCurve(points));
    }
}
