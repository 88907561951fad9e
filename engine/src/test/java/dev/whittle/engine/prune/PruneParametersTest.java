package dev.whittle.engine.prune;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one parameter type of a pruning run: its JSON, its defaults, its bounds and its rules, each at its field. */
class PruneParametersTest {

    private static final ModelConfig LLAMA = ModelConfig.of(TestModels.configJson(Family.LLAMA,
            TestModels.options().layers(4).intermediate(92)));
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final ValidatorFactory VALIDATION = Validation.buildDefaultValidatorFactory();

    @AfterAll
    static void close() {
        VALIDATION.close();
    }

    private static PruneParameters read(String json) {
        return JSON.readValue(json, PruneParameters.class);
    }

    /** The fields Bean Validation refuses, as "path: message". */
    private static List<String> bounds(String json) {
        Validator validator = VALIDATION.getValidator();
        return validator.validate(read(json)).stream()
                .map((ConstraintViolation<PruneParameters> v) -> v.getPropertyPath() + ": " + v.getMessage())
                .sorted().toList();
    }

    private static List<String> fields(String json) {
        return read(json).problems().stream().map(PruneProblem::field).toList();
    }

    private static List<String> modelFields(String json) {
        return read(json).problems(LLAMA).stream().map(PruneProblem::field).toList();
    }

    @Test
    void theMethodNamesTheTypeAndLeftOutFieldsTakeTheirDefaults() {
        assertThat(read("{\"method\": \"wanda\", \"sparsity\": 0.5}")).isEqualTo(new PruneParameters.Wanda(0.5, null,
                List.of(), List.of(), new Calibration(null, Calibration.BuiltInSet.NATURAL_ENGLISH, null, 128, 2048, 0L),
                null, null, null, null));
        assertThat(read("{\"method\": \"sparsegpt\", \"nm\": \"2:4\"}")).isEqualTo(new PruneParameters.SparseGpt(0.5,
                new NmSparsity(2, 4), 128, 0.01, List.of(), List.of(), Calibration.DEFAULT, null, null, null, null));
        assertThat(read("{\"method\": \"magnitude\", \"sparsity\": 0.3}")).isEqualTo(new PruneParameters.Magnitude(0.3,
                null, MagnitudePruning.Scope.LAYER, List.of(), List.of(), null));
        assertThat(read("{\"method\": \"block-removal\", \"blocks\": 2, \"metric\": \"block-influence\"}"))
                .isEqualTo(new PruneParameters.BlockRemoval(2, BlockScoring.Metric.BLOCK_INFLUENCE,
                        BlockScoring.Tokens.ALL, Calibration.DEFAULT, null));
        assertThat(read("{\"method\": \"block-removal\", \"blocks\": 1}")).isEqualTo(new PruneParameters.BlockRemoval(1,
                BlockScoring.Metric.ANGULAR_DISTANCE, BlockScoring.Tokens.LAST, Calibration.DEFAULT, null));
        assertThat(read("{\"method\": \"block-removal\", \"blocks\": 1}").name()).isEqualTo("block-removal");
    }

    @Test
    void writtenBackEveryValueKeepsTheLowerCaseNameItWasGivenIn() {
        String json = "{\"method\": \"block-removal\", \"blocks\": 2, \"metric\": \"angular-distance\", \"tokens\": \"all\","
                + " \"calibration\": {\"builtIn\": \"knowledge\", \"nsamples\": 4}, \"dtype\": \"bfloat16\"}";
        JsonNode written = JSON.valueToTree(read(json));
        assertThat(written.get("method").asString()).isEqualTo("block-removal");
        assertThat(written.get("metric").asString()).isEqualTo("angular-distance");
        assertThat(written.get("tokens").asString()).isEqualTo("all");
        assertThat(written.get("dtype").asString()).isEqualTo("bfloat16");
        assertThat(written.get("calibration").get("builtIn").asString()).isEqualTo("knowledge");
        assertThat(JSON.valueToTree(read("{\"method\": \"magnitude\", \"nm\": \"4:8\", \"scope\": \"layer\"}")).toString())
                .contains("\"nm\":\"4:8\"").contains("\"scope\":\"layer\"").contains("\"sparsity\":0.5");
        assertThat(read(written.toString())).isEqualTo(read(json));
    }

    @Test
    void anUnknownOrMissingMethodIsRefused() {
        assertThatThrownBy(() -> read("{\"method\": \"lottery\", \"sparsity\": 0.5}"))
                .isInstanceOf(InvalidTypeIdException.class).hasMessageContaining("lottery");
        assertThatThrownBy(() -> read("{\"sparsity\": 0.5}")).isInstanceOf(InvalidTypeIdException.class);
    }

    @Test
    void eachMethodHasOnlyTheFieldsItUses() {
        for (String json : List.of("{\"method\": \"wanda\", \"sparsity\": 0.5, \"blocks\": 2}",
                "{\"method\": \"wanda\", \"sparsity\": 0.5, \"scope\": \"global\"}",
                "{\"method\": \"magnitude\", \"sparsity\": 0.5, \"calibration\": {}}",
                "{\"method\": \"magnitude\", \"sparsity\": 0.5, \"dampening\": 0.1}",
                "{\"method\": \"block-removal\", \"blocks\": 1, \"nm\": \"2:4\"}",
                "{\"method\": \"block-removal\", \"blocks\": 1, \"include\": [\"mlp\"]}")) {
            assertThatThrownBy(() -> read(json)).as(json).isInstanceOf(UnrecognizedPropertyException.class);
        }
    }

    @Test
    void boundsAreCheckedByBeanValidationAtTheirFields() {
        assertThat(bounds("{\"method\": \"magnitude\", \"sparsity\": 1.0}")).containsExactly("sparsity: must be less than 1");
        assertThat(bounds("{\"method\": \"wanda\", \"sparsity\": -0.1}"))
                .containsExactly("sparsity: must be greater than or equal to 0");
        assertThat(bounds("{\"method\": \"magnitude\", \"sparsity\": 0.0}")).isEmpty();
        assertThat(bounds("{\"method\": \"sparsegpt\", \"sparsity\": 0.5, \"blockSize\": 0, \"dampening\": -1}"))
                .containsExactly("blockSize: must be greater than or equal to 1", "dampening: must be greater than 0");
        assertThat(bounds("{\"method\": \"block-removal\", \"blocks\": 0, \"calibration\": {\"nsamples\": 0, \"seqlen\": -3}}"))
                .containsExactly("blocks: must be greater than or equal to 1", "calibration.nsamples: must be greater than or equal to 1",
                        "calibration.seqlen: must be greater than or equal to 1");
        assertThat(bounds("{\"method\": \"block-removal\"}")).containsExactly("blocks: must not be null");
    }

    @Test
    void sparsityIsRequiredUnlessNmGivesItAndMustAgreeWithIt() {
        assertThat(fields("{\"method\": \"magnitude\"}")).containsExactly("sparsity");
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.3, \"nm\": \"2:4\"}")).containsExactly("sparsity");
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"nm\": \"2:4\"}")).isEmpty();
        assertThat(fields("{\"method\": \"magnitude\", \"nm\": \"2:4\", \"scope\": \"global\"}")).containsExactly("scope");
    }

    @Test
    void nmMustHaveNBelowM() {
        for (String nm : List.of("4:4", "5:4", "two:four")) {
            assertThatThrownBy(() -> read("{\"method\": \"wanda\", \"nm\": \"" + nm + "\"}")).as(nm)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aCalibrationTakesADatasetOrABuiltInSetAndAFieldOnlyWithADataset() {
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"calibration\": {\"dataset\": \"mine\", "
                + "\"builtIn\": \"knowledge\"}}")).containsExactly("calibration");
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"calibration\": {\"field\": \"body\"}}"))
                .containsExactly("calibration.field");
        PruneParameters.Calibrated fromDataset = (PruneParameters.Calibrated) read(
                "{\"method\": \"sparsegpt\", \"sparsity\": 0.5, \"calibration\": {\"dataset\": \"mine\", \"field\": \"body\"}}");
        assertThat(fromDataset.calibration().builtIn()).isNull();
        assertThat(fromDataset.calibration().source((name, field) -> new CalibrationSource.JsonLines(
                java.nio.file.Path.of(name + ".jsonl"), field)))
                .isEqualTo(new CalibrationSource.JsonLines(java.nio.file.Path.of("mine.jsonl"), "body"));
        assertThat(Calibration.DEFAULT.source(null)).isEqualTo(new CalibrationSource.BuiltIn("natural-english"));
    }

    @Test
    void invalidPatternsAreRefusedWithoutTheModel() {
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"include\": [\"(bad\"], "
                + "\"exclude\": [\"fine\", \"[worse\"]}")).containsExactly("include[0]", "exclude[1]");
        // Patterns that merely match nothing need the model to tell.
        assertThat(fields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"include\": [\"nothing\"]}")).isEmpty();
    }

    @Test
    void nmMustDivideTheInputsOfEveryChosenMatrix() {
        // intermediate 92 is not a multiple of 8: down_proj cannot be 4:8, the attention matrices can.
        assertThat(modelFields("{\"method\": \"sparsegpt\", \"nm\": \"4:8\"}")).containsExactly("nm");
        assertThat(modelFields("{\"method\": \"sparsegpt\", \"nm\": \"4:8\", \"include\": [\"self_attn\"]}")).isEmpty();
    }

    @Test
    void aTensorPatternThatMatchesNothingIsRefused() {
        assertThat(modelFields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"include\": [\"mlp\", \"lm_head\"]}"))
                .containsExactly("include[1]");
        assertThat(modelFields("{\"method\": \"wanda\", \"sparsity\": 0.5, \"exclude\": [\"embed_tokens\"]}"))
                .containsExactly("exclude[0]");
        assertThat(read("{\"method\": \"wanda\", \"sparsity\": 0.5, \"exclude\": [\".\"]}").problems(LLAMA))
                .singleElement().satisfies(p -> assertThat(p.message()).contains("no weight"));
    }

    @Test
    void removingAsManyBlocksAsTheModelHasOrMoreIsRefused() {
        for (int blocks : new int[] {4, 5}) {
            assertThat(read("{\"method\": \"block-removal\", \"blocks\": " + blocks + "}").problems(LLAMA))
                    .singleElement().satisfies(p -> {
                        assertThat(p.field()).isEqualTo("blocks");
                        assertThat(p.message()).contains("the model has 4 blocks");
                    });
        }
        assertThat(modelFields("{\"method\": \"block-removal\", \"blocks\": 3}")).isEmpty();
    }

    @Test
    void aMixtureOfExpertsModelTakesNoBlockRemovalAndADenseModelNoExpertMethod() {
        ModelConfig mixtral = ModelConfig.of(TestModels.configJson(Family.MIXTRAL, TestModels.options()));
        assertThat(read("{\"method\": \"sparsegpt\", \"sparsity\": 0.5}").problems(mixtral)).isEmpty();
        assertThat(read("{\"method\": \"wanda\", \"nm\": \"2:4\"}").problems(mixtral)).isEmpty();
        assertThat(read("{\"method\": \"block-removal\", \"blocks\": 1}").problems(mixtral)).singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("method");
                    assertThat(p.message()).contains("MixtralForCausalLM").contains("Mixture-of-Experts")
                            .contains("reap, frequency, ean or merge-experts");
                });
        assertThat(read("{\"method\": \"reap\", \"experts\": 0.25}").problems(LLAMA)).singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("method");
                    assertThat(p.message()).contains("LlamaForCausalLM is dense");
                });
        assertThat(read("{\"method\": \"ean\", \"experts\": 0.5}").problems(mixtral)).isEmpty();
        assertThat(read("{\"method\": \"merge-experts\", \"experts\": 0.5}").problems(LLAMA))
                .extracting(PruneProblem::field).containsExactly("method");
    }

    @Test
    void expertPruningMustRemoveAtLeastOneExpertAndLeaveTopK() {
        ModelConfig fourTopTwo = ModelConfig.of(TestModels.configJson(Family.MIXTRAL,
                TestModels.options().experts(4).expertsPerToken(2)));
        assertThat(read("{\"method\": \"reap\", \"experts\": 0.75}").problems(fourTopTwo)).singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("experts");
                    assertThat(p.message()).isEqualTo("removing 3 of 4 experts would leave 1, fewer than the 2 each "
                            + "token is routed to (at most 2 can go)");
                });
        assertThat(read("{\"method\": \"frequency\", \"experts\": 0.1}").problems(fourTopTwo))
                .extracting(PruneProblem::field).containsExactly("experts");
        assertThat(read("{\"method\": \"frequency\", \"experts\": 0.5}").problems(fourTopTwo)).isEmpty();
        assertThat(bounds("{\"method\": \"reap\", \"experts\": 1}")).containsExactly("experts: must be less than 1");
        assertThat(bounds("{\"method\": \"reap\"}")).containsExactly("experts: must not be null");
        assertThat(read("{\"method\": \"reap\", \"experts\": 0.25}")).isEqualTo(
                new PruneParameters.Reap(0.25, Calibration.DEFAULT, null));
    }

    @Test
    void widthPruningRemovesSomethingLeavesSomethingAndOnlyFromADenseModel() {
        assertThat(read("{\"method\": \"width\", \"mlpRatio\": 0.5}")).isEqualTo(
                new PruneParameters.Width(0.5, 0.0, Calibration.DEFAULT, null));
        assertThat(fields("{\"method\": \"width\"}")).containsExactly("mlpRatio");
        assertThat(bounds("{\"method\": \"width\", \"mlpRatio\": 1.0, \"headRatio\": -0.5}"))
                .containsExactly("headRatio: must be greater than or equal to 0", "mlpRatio: must be less than 1");
        // LLAMA: intermediate 92, 2 KV groups of 2 query heads
        assertThat(modelFields("{\"method\": \"width\", \"mlpRatio\": 0.5, \"headRatio\": 0.5}")).isEmpty();
        assertThat(modelFields("{\"method\": \"width\", \"mlpRatio\": 0.04}")).containsExactly("mlpRatio");
        assertThat(modelFields("{\"method\": \"width\", \"mlpRatio\": 0.95}")).containsExactly("mlpRatio");
        assertThat(modelFields("{\"method\": \"width\", \"headRatio\": 0.2}")).containsExactly("headRatio");
        assertThat(read("{\"method\": \"width\", \"headRatio\": 0.75}").problems(LLAMA)).singleElement()
                .extracting(PruneProblem::message).asString().contains("at least one must stay");
        ModelConfig mixtral = ModelConfig.of(TestModels.configJson(Family.MIXTRAL, TestModels.options()));
        assertThat(read("{\"method\": \"width\", \"mlpRatio\": 0.5}").problems(mixtral)).singleElement()
                .extracting(PruneProblem::field).isEqualTo("method");
    }

    @Test
    void theReadmeExamplesAreValidAsTheyStand() {
        for (String json : List.of("{\"method\": \"magnitude\", \"sparsity\": 0.5, \"scope\": \"global\"}",
                "{\"method\": \"wanda\", \"nm\": \"2:4\", \"calibration\": {\"builtIn\": \"knowledge\", \"nsamples\": 64}}",
                "{\"method\": \"sparsegpt\", \"sparsity\": 0.5, \"dampening\": 0.05, \"exclude\": [\"down_proj\"],"
                        + " \"calibration\": {\"dataset\": \"my-text\", \"seqlen\": 1024}, \"dtype\": \"bfloat16\"}",
                "{\"method\": \"block-removal\", \"blocks\": 3, \"metric\": \"block-influence\"}",
                "{\"method\": \"width\", \"mlpRatio\": 0.5, \"headRatio\": 0.25}")) {
            assertThat(bounds(json)).as(json).isEmpty();
            assertThat(read(json).problems()).as(json).isEmpty();
            assertThat(read(json).problems(LLAMA)).as(json).isEmpty();
        }
        ModelConfig mixtral = ModelConfig.of(TestModels.configJson(Family.MIXTRAL, TestModels.options().experts(8)));
        for (String json : List.of("{\"method\": \"reap\", \"experts\": 0.25, \"calibration\": {\"dataset\": \"arithmetic-only\"}}",
                "{\"method\": \"wanda\", \"sparsity\": 0.5}")) {
            assertThat(bounds(json)).as(json).isEmpty();
            assertThat(read(json).problems()).as(json).isEmpty();
            assertThat(read(json).problems(mixtral)).as(json).isEmpty();
        }
    }

    @Test
    void owlNeedsUnstructuredSparsityAndRoomForItsSpread() {
        assertThat(fields("{\"method\": \"wanda\", \"nm\": \"2:4\", \"sparsityProfile\": \"owl\"}"))
                .containsExactly("sparsityProfile");
        assertThat(fields("{\"method\": \"sparsegpt\", \"sparsity\": 0.9, \"sparsityProfile\": \"owl\"}"))
                .containsExactly("owlLambda"); // 0.9 + 2 x 0.08 reaches past 1
        PruneParameters owl = read("{\"method\": \"wanda\", \"sparsity\": 0.7, \"sparsityProfile\": \"owl\"}");
        assertThat(owl.problems()).isEmpty();
        assertThat(((PruneParameters.Wanda) owl).owlM()).isEqualTo(5.0);
        assertThat(((PruneParameters.Wanda) owl).owlLambda()).isEqualTo(0.08);
    }

    @Test
    void theCandidateTensorsAreTheLinearsTheLoaderBuildsLessRoutersAndSharedExpertGates() throws Exception {
        for (var model : List.of(java.util.Map.entry(Family.QWEN2, TestModels.options()),
                java.util.Map.entry(Family.MIXTRAL, TestModels.options()),
                java.util.Map.entry(Family.QWEN2_MOE, TestModels.options().layers(3).config("mlp_only_layers", List.of(1))))) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("candidates").resolve("m");
            TestModels.write(dir, model.getKey(), 1, model.getValue());
            var decoder = dev.whittle.engine.model.DecoderLoader.load(dir, dev.whittle.engine.Progress.NONE);
            assertThat(TensorSelection.candidates(ModelConfig.load(dir))).as("%s", model.getKey())
                    .containsExactlyElementsOf(decoder.linears().stream().map(l -> l.name() + ".weight")
                            .filter(n -> !n.endsWith(".gate.weight") && !n.endsWith("shared_expert_gate.weight")).toList());
        }
    }
}
