package dev.whittle.worker.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.whittle.worker.testing.FailStage;
import dev.whittle.worker.testing.HoldStage;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StageTypesTest {

    private final StageTypes types = new StageTypes(List.of(new HoldStage(), new FailStage()),
            Validation.buildDefaultValidatorFactory().getValidator());

    private List<FieldProblem> problemsOf(String stagesJson) {
        try {
            types.parse(JsonMapper.shared().readTree(stagesJson), "stages");
        } catch (InvalidRequestException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems with " + stagesJson);
    }

    @Test
    void aValidRecipeIsReadIntoParameterRecordsWithDefaultsFilledIn() {
        List<RecipeStage> stages = types.parse(JsonMapper.shared().readTree(
                "[{\"type\":\"HOLD\",\"units\":3},{\"type\":\"HOLD\"}]"), "stages");
        assertThat(stages).extracting(RecipeStage::parameters)
                .containsExactly(new HoldStage.Parameters(null, 3), new HoldStage.Parameters(null, 1));
        assertThat(stages.get(1).stepName()).isEqualTo("stage-1-HOLD");
        assertThat(StageTypes.toJson(stages.get(1)).toString()).isEqualTo("{\"type\":\"HOLD\",\"units\":1}");
    }

    @Test
    void anUnknownStageTypeIsNamedAtItsPathWithTheImplementedOnes() {
        assertThat(problemsOf("[{\"type\":\"HOLD\"},{\"type\":\"PRUNE\"}]")).containsExactly(
                new FieldProblem("stages[1].type", "unknown stage type 'PRUNE'; implemented: [FAIL, HOLD]"));
    }

    @Test
    void aStageWithoutTypeOrOfTheWrongShapeIsRefused() {
        assertThat(problemsOf("[{\"units\":2}]")).extracting(FieldProblem::field).containsExactly("stages[0].type");
        assertThat(problemsOf("[42]")).extracting(FieldProblem::field).containsExactly("stages[0]");
        assertThat(problemsOf("{\"type\":\"HOLD\"}")).extracting(FieldProblem::field).containsExactly("stages");
    }

    @Test
    void wrongTypesUnknownFieldsAndOutOfRangeValuesAreEachReportedAtTheirField() {
        assertThat(problemsOf("""
                [{"type":"HOLD","units":"three"},
                 {"type":"HOLD","unit":3},
                 {"type":"HOLD","units":1000},
                 {"type":"HOLD","units":2.5},
                 {"type":"HOLD","key":" "}]
                """)).containsExactly(
                new FieldProblem("stages[0].units", "must be an integer"),
                new FieldProblem("stages[1].unit", "unknown field; known fields: [key, units]"),
                new FieldProblem("stages[2].units", "must be less than or equal to 100"),
                new FieldProblem("stages[3].units", "must be an integer"),
                new FieldProblem("stages[4].key", "must not be blank"));
    }
}
