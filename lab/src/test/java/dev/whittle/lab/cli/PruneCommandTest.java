package dev.whittle.lab.cli;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PruneCommandTest extends CliTest {

    @Test
    void pruneWritesTheModelAndPrintsWhatItBecame() throws IOException {
        Path target = tmp.resolve("wanda");
        Path stats = tmp.resolve("stats.json");
        int code = run("prune", model.toString(), target.toString(), "--method", "wanda", "--nm", "2:4",
                "--dataset", text.toString(), "--nsamples", "4", "--seqlen", "32", "--stats", stats.toString());
        assertThat(code).as(err()).isZero();
        assertThat(target.resolve("model.safetensors")).isRegularFile();
        String printed = out();
        assertThat(printed).contains("sparsity     0.5000 of pruned matrices").contains("calibration  text file text.txt, 4 x 32")
                .contains("time").contains("forward");
        JsonNode json = new JsonMapper().readTree(stats.toFile());
        assertThat(json.get("prunedSparsity").doubleValue()).isEqualTo(0.5);
        assertThat(json.get("settings").get("nm").asString()).isEqualTo("2:4");
        assertThat(json.get("settings").get("calibration").get("nsamples").intValue()).isEqualTo(4);
    }

    @Test
    void reapOnAMixtralPrintsTheExpertsKeptAndTheOutputHasThatCount() throws IOException {
        Path mixtral = tmp.resolve("mixtral");
        TestModels.write(mixtral, Family.MIXTRAL, 3, TestModels.options().experts(8).expertsPerToken(2));
        Path target = tmp.resolve("reap");
        int code = run("prune", mixtral.toString(), target.toString(), "--method", "reap", "--experts", "0.25",
                "--dataset", text.toString(), "--nsamples", "2", "--seqlen", "16");
        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("experts      6 of 8 kept per layer by reap");
        assertThat(ModelConfig.load(target).moe().numExperts()).isEqualTo(6);
        assertThat(run("prune", model.toString(), tmp.resolve("dense-reap").toString(), "--method", "reap",
                "--experts", "0.25")).isEqualTo(2);
        assertThat(err()).contains("method: reap reduces the experts of a Mixture-of-Experts model");
    }

    @Test
    void widthPrintsTheWidthsKeptAndTheOutputConfigHasThem() throws IOException {
        Path target = tmp.resolve("width");
        int code = run("prune", model.toString(), target.toString(), "--method", "width", "--mlp-ratio", "0.5",
                "--head-ratio", "0.5", "--dataset", text.toString(), "--nsamples", "2", "--seqlen", "16");
        assertThat(code).as(err()).isZero();
        // the test model: intermediate 96, 4 heads over 2 KV heads
        assertThat(out()).contains("width        per layer 48 of 96 MLP channels and 2 of 4 heads (1 KV) kept");
        ModelConfig config = ModelConfig.load(target);
        assertThat(config.intermediateSize()).isEqualTo(48);
        assertThat(config.numKeyValueHeads()).isEqualTo(1);
        assertThat(run("prune", model.toString(), tmp.resolve("bad-width").toString(), "--method", "width"))
                .isEqualTo(2);
        assertThat(err()).contains("mlpRatio: with mlpRatio and headRatio both 0 nothing is removed");
    }

    @Test
    void anInvalidRequestNamesItsFieldsAsTheApiDoesAndExitsWithTwo() {
        int code = run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "sparsegpt",
                "--sparsity", "1.5", "--block-size", "0", "--seqlen", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err()).contains("blockSize: must be greater than or equal to 1")
                .contains("calibration.seqlen: must be greater than or equal to 1").contains("sparsity: must be less than 1");
        assertThat(tmp.resolve("bad")).doesNotExist();

        assertThat(run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "sparsegpt",
                "--sparsity", "0.5", "--blocks", "2")).isEqualTo(2);
        assertThat(err()).contains("--blocks does not apply to --method sparsegpt");
        assertThat(run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "wanda",
                "--sparsity", "0.3", "--nm", "2:4")).isEqualTo(2);
        assertThat(err()).contains("sparsity: N:M 2:4 prunes exactly 0.5");
        assertThat(run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "lottery")).isEqualTo(2);
        assertThat(err()).contains("'lottery' is not a method");
        assertThat(run("prune", model.toString(), tmp.resolve("bad").toString(), "--method", "block-removal",
                "--blocks", "2", "--metric", "cosine")).isEqualTo(2);
        assertThat(err()).contains("--metric").contains("angular-distance");
    }

    @Test
    void theOptionsAreTheFieldsOfTheParameterTypeKebabCased() {
        assertThat(PruneCommand.OPTIONS).contains("method", "sparsity", "nm", "scope", "block-size", "dampening", "blocks",
                "metric", "tokens", "mlp-ratio", "head-ratio", "include", "exclude", "dataset", "built-in", "field", "nsamples", "seqlen", "seed",
                "dtype", "stats").doesNotContain("calibration");
    }

    @Test
    void aDatasetFileIsReadAsJsonLinesByItsNameOrAField() {
        assertThat(PruneCommand.file("c4.jsonl", null)).isEqualTo(new CalibrationSource.JsonLines(Path.of("c4.jsonl"), null));
        assertThat(PruneCommand.file("data.txt", null)).isEqualTo(new CalibrationSource.TextFile(Path.of("data.txt")));
        assertThat(PruneCommand.file("data", "body")).isEqualTo(new CalibrationSource.JsonLines(Path.of("data"), "body"));
    }
}
