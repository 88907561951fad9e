package dev.whittle.engine.merge;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** MERGE's parameters as JSON gives them: the recipe by {@code method}, defaults, and the rules between fields. */
class MergeParametersTest {

    private static MergeParameters read(String json) {
        return JsonMapper.shared().readValue(json, MergeParameters.class);
    }

    @Test
    void eachRecipeIsReadByItsMergekitNameWithItsDefaults() {
        MergeParameters linear = read("{\"method\": \"linear\", \"models\": [\"b\", \"c\"]}");
        assertThat(linear.recipe()).isEqualTo(new MergeMethod.Linear(List.of(1.0, 1.0, 1.0)));
        assertThat(linear.name()).isEqualTo("linear");
        assertThat(read("{\"method\": \"slerp\", \"models\": [\"b\"]}").recipe()).isEqualTo(new MergeMethod.Slerp(0.5));
        MergeParameters ties = read("{\"method\": \"ties\", \"models\": [\"b\"], \"base\": \"o\", \"weights\": [1, 2]}");
        assertThat(ties.recipe()).isEqualTo(new MergeMethod.Ties(1.0, List.of(1.0, 2.0)));
        assertThat(ties.base()).isEqualTo("o");
        assertThat(linear.base()).isNull();
    }

    @Test
    void theWritingOfParametersReadsBackTheSame() {
        MergeParameters ties = read("{\"method\": \"ties\", \"models\": [\"b\"], \"base\": \"o\", \"density\": 0.25}");
        String written = JsonMapper.shared().writeValueAsString(ties);
        assertThat(written).contains("\"method\":\"ties\"");
        assertThat(read(written)).isEqualTo(ties);
    }

    @Test
    void weightsMustBeOnePerMergedModelNonNegativeWithOnePositiveAndModelsListedOnce() {
        assertThat(read("{\"method\": \"linear\", \"models\": [\"b\"], \"weights\": [1]}").problems())
                .extracting(MergeProblem::field).containsExactly("weights");
        assertThat(read("{\"method\": \"linear\", \"models\": [\"b\"], \"weights\": [-1, 2]}").problems())
                .extracting(MergeProblem::field).containsExactly("weights[0]");
        assertThat(read("{\"method\": \"ties\", \"models\": [\"b\"], \"base\": \"o\", \"weights\": [0, 0]}").problems())
                .extracting(MergeProblem::field).containsExactly("weights");
        assertThat(read("{\"method\": \"linear\", \"models\": [\"b\", \"b\"]}").problems())
                .extracting(MergeProblem::field).containsExactly("models[1]");
        assertThat(read("{\"method\": \"slerp\", \"models\": [\"b\"], \"t\": 0.2}").problems()).isEmpty();
    }
}
