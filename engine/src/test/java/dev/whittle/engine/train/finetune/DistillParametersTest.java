package dev.whittle.engine.train.finetune;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DistillParametersTest {

    private static DistillParameters read(String json) {
        return JsonMapper.shared().readValue(json, DistillParameters.class);
    }

    @Test
    void eachMethodReadsByItsNameWithItsDefaults() {
        DistillParameters.Logits logits = (DistillParameters.Logits) read("""
                {"method": "logits", "data": {"builtIn": "knowledge-qa"}}""");
        assertThat(logits.temperature()).isEqualTo(1.0);
        assertThat(logits.alpha()).as("pure distillation").isZero();
        assertThat(logits.teacher()).isNull();
        assertThat(logits.adapter()).isEqualTo(DistillAdapter.FULL);
        assertThat(logits.training()).isEqualTo(DistillTraining.DEFAULT);

        DistillParameters.SelfDistill self = (DistillParameters.SelfDistill) read("""
                {"method": "self-distill", "data": {"dataset": "qa"}, "adapter": {"type": "lora"}}""");
        assertThat(self.check()).isEqualTo(DistillParameters.Check.FINAL_ANSWER);
        assertThat(self.data().promptField()).isEqualTo("prompt");
        assertThat(self.data().responseField()).isEqualTo("response");
        assertThat(self.adapter()).isEqualTo(new DistillAdapter.Lora(16, 32.0, 0.05, List.of("q_proj", "v_proj")));
        assertThat(self.name()).isEqualTo("self-distill");
        assertThat(JsonMapper.shared().writeValueAsString(self)).contains("\"method\":\"self-distill\"",
                "\"check\":\"final-answer\"", "\"type\":\"lora\"");
    }

    @Test
    void epochsBecomeTheUpdatesThatFeedThatManyPassesOfTheTrainingTokens() {
        DistillTraining t = new DistillTraining(null, null, null, null, null, 2.5, 256, 128, 2, null, null, null, null,
                null, null);
        // 2.5 passes over 10,000 tokens, 512 tokens per update: ceil(25,000 / 512) = 49
        assertThat(t.steps(10_000)).isEqualTo(49);
        assertThat(DistillTraining.DEFAULT.steps(10_000)).isEqualTo(DistillTraining.DEFAULT_STEPS);
    }

    @Test
    void settingsFillWhatDependsOnTheLengthOfTheRunAndClipTheLengthToTheContext() {
        FineTune.Settings s = DistillTraining.DEFAULT.settings(200, 256, DType.BF16);
        assertThat(s.warmupSteps()).isEqualTo(10);
        assertThat(s.validateEvery()).isEqualTo(20);
        assertThat(s.checkpointEvery()).isEqualTo(20);
        assertThat(s.maxLength()).isEqualTo(256);
        assertThat(s.minLearningRate()).isCloseTo(2e-6, org.assertj.core.data.Offset.offset(1e-18));
        assertThat(s.outputDtype()).isEqualTo(DType.BF16);

        DistillTraining constant = new DistillTraining(1e-3, DistillTraining.Schedule.CONSTANT, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        assertThat(constant.settings(50, 1024, DType.F32).minLearningRate()).isEqualTo(1e-3);
    }

    @Test
    void rulesBetweenFieldsAndAgainstTheModelNameTheirField() throws Exception {
        assertThat(read("""
                {"method": "sft", "data": {"builtIn": "knowledge-qa", "dataset": "qa"},
                 "training": {"steps": 5, "epochs": 1, "batchTokens": 64, "maxLength": 128}}""").problems())
                .extracting(DistillProblem::field)
                .containsExactlyInAnyOrder("data", "training.epochs", "training.maxLength");

        ModelConfig config = TestModels.write(java.nio.file.Files.createTempDirectory("distill").resolve("m"),
                Family.LLAMA, 1);
        assertThat(read("""
                {"method": "sft", "data": {"builtIn": "knowledge-qa"},
                 "adapter": {"type": "lora", "targets": ["q_proj", "model.layers.1.mlp.down_proj", "wq"]}}""")
                .problems(config)).extracting(DistillProblem::field).containsExactly("adapter.targets[2]");
    }
}
