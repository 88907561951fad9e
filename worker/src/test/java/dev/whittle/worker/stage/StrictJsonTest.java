package dev.whittle.worker.stage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class StrictJsonTest {

    record Request(String name, Integer maxAttempts, int nsamples, boolean dryRun) {
    }

    private static FieldProblem problemOf(String json) {
        JsonNode tree = JsonMapper.shared().readTree(json);
        try {
            StrictJson.read(tree, Request.class, "");
        } catch (InvalidRequestException e) {
            assertThat(e.problems()).hasSize(1);
            return e.problems().getFirst();
        }
        throw new AssertionError("accepted " + json);
    }

    @Test
    void numbersAndBooleansAreNotTurnedIntoText() {
        assertThat(problemOf("{\"name\": 42}")).isEqualTo(new FieldProblem("name", "must be a string"));
        assertThat(problemOf("{\"name\": 4.2}")).isEqualTo(new FieldProblem("name", "must be a string"));
        assertThat(problemOf("{\"name\": true}")).isEqualTo(new FieldProblem("name", "must be a string"));
    }

    @Test
    void integersOutsideTheirTypeAreNamedWithItsRange() {
        assertThat(problemOf("{\"nsamples\": 2147483648}"))
                .isEqualTo(new FieldProblem("nsamples", "must be an integer from -2147483648 to 2147483647"));
        assertThat(problemOf("{\"maxAttempts\": 1e20}").field()).isEqualTo("maxAttempts");
        assertThat(problemOf("{\"maxAttempts\": 99999999999999999999}"))
                .isEqualTo(new FieldProblem("maxAttempts", "must be an integer from -2147483648 to 2147483647"));
    }

    @Test
    void wellTypedValuesAreRead() {
        Request r = StrictJson.read(JsonMapper.shared().readTree(
                "{\"name\": \"n\", \"maxAttempts\": 3, \"nsamples\": 2147483647, \"dryRun\": true}"), Request.class, "");
        assertThat(r).isEqualTo(new Request("n", 3, Integer.MAX_VALUE, true));
    }
}
