package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class QuantizeCommandTest extends CliTest {

    @Test
    void rtnWritesPackQuantizedWeightsWithinHalfAStepOfTheOriginals() throws IOException {
        Path target = tmp.resolve("rtn");
        Path stats = tmp.resolve("rtn.json");
        int code = run("quantize", model.toString(), target.toString(), "--method", "rtn", "--bits", "4", "--group", "32",
                "--stats", stats.toString());
        assertThat(code).as(err()).isZero();
        // fp32 model, widths 64 and 96: 4-bit codes plus one 32-bit scale per 32 weights = 4 + 32 / 32 bits
        assertThat(out()).contains("5.000 bits per weight").contains("format pack-quantized");
        JsonNode weights = ModelConfig.load(target).get("quantization_config").get("config_groups").get("group_0")
                .get("weights");
        assertThat(weights.get("num_bits").intValue()).isEqualTo(4);
        assertThat(weights.get("group_size").intValue()).isEqualTo(32);
        assertThat(new JsonMapper().readTree(stats.toFile()).get("settings").get("method").asString()).isEqualTo("rtn");

        // each weight is at most half of its group's symmetric step max|w| / 7.5 from the original
        Linear before = DecoderLoader.load(model, Progress.NONE).blocks().getFirst().linears().getFirst();
        Linear after = DecoderLoader.load(target, Progress.NONE).blocks().getFirst().linears().getFirst();
        for (int r = 0; r < before.out(); r++) {
            for (int g = 0; g < before.in(); g += 32) {
                float max = 0;
                for (int c = g; c < g + 32; c++) {
                    max = Math.max(max, Math.abs(before.weight()[r * before.in() + c]));
                }
                for (int c = g; c < g + 32; c++) {
                    int i = r * before.in() + c;
                    assertThat(Math.abs(after.weight()[i] - before.weight()[i])).isLessThanOrEqualTo(max / 7.5f / 2 * 1.0001f);
                }
            }
        }
    }

    @Test
    void gptqTakesItsOptionsAndTheCalibrationAsPruneDoes() throws IOException {
        Path target = tmp.resolve("gptq");
        Path stats = tmp.resolve("gptq.json");
        int code = run("quantize", model.toString(), target.toString(), "--method", "gptq", "--bits", "8", "--group", "-1",
                "--symmetric", "false", "--act-order", "true", "--dampening", "0.05", "--block-size", "16",
                "--format", "fake", "--dataset", text.toString(), "--nsamples", "2", "--seqlen", "16",
                "--stats", stats.toString());
        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("output error").contains("calibration  text file text.txt, 2 x 16")
                .contains("format fake");
        assertThat(ModelConfig.load(target).get("quantization_config")).isNull();
        JsonNode settings = new JsonMapper().readTree(stats.toFile()).get("settings");
        assertThat(settings.get("bits").intValue()).isEqualTo(8);
        assertThat(settings.get("group").intValue()).isEqualTo(-1);
        assertThat(settings.get("symmetric").booleanValue()).isFalse();
        assertThat(settings.get("actOrder").booleanValue()).isTrue();
        assertThat(settings.get("dampening").doubleValue()).isEqualTo(0.05);
        assertThat(settings.get("blockSize").intValue()).isEqualTo(16);
        assertThat(settings.get("calibration").get("nsamples").intValue()).isEqualTo(2);
    }

    @Test
    void anInvalidRequestNamesItsFieldsAsTheApiDoesAndExitsWithTwo() {
        assertThat(run("quantize", model.toString(), tmp.resolve("bad").toString(), "--method", "gptq", "--bits", "9",
                "--block-size", "0")).isEqualTo(2);
        assertThat(err()).contains("bits: must be less than or equal to 8")
                .contains("blockSize: must be greater than or equal to 1");
        assertThat(run("quantize", model.toString(), tmp.resolve("bad").toString(), "--method", "rtn", "--group", "0"))
                .isEqualTo(2);
        assertThat(err()).contains("group: a positive group size");
        assertThat(run("quantize", model.toString(), tmp.resolve("bad").toString(), "--method", "rtn",
                "--act-order", "true")).isEqualTo(2);
        assertThat(err()).contains("--act-order does not apply to --method rtn");
        assertThat(run("quantize", model.toString(), tmp.resolve("bad").toString(), "--method", "awq")).isEqualTo(2);
        assertThat(err()).contains("'awq' is not a method (one of rtn, gptq)");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    void theOptionsAreTheFieldsOfTheParameterTypeKebabCased() {
        assertThat(QuantizeCommand.OPTIONS).containsExactlyInAnyOrder("method", "bits", "group", "symmetric",
                "act-order", "block-size", "dampening", "format", "include", "exclude", "dataset", "built-in", "field",
                "nsamples", "seqlen", "seed", "stats");
    }
}
