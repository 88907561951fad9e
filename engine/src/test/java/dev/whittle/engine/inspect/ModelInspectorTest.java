package dev.whittle.engine.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.whittle.engine.Progress;
import dev.whittle.engine.inspect.ModelReport.TensorReport;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ModelInspectorTest {

    @TempDir
    Path dir;

    /** A test model whose MLP down projections are zero in every third element (both signs) and layer 1's q_proj entirely. */
    private Path prunedModel(Family family, TestModels.Options options) throws IOException {
        ModelConfig config = ModelConfig.of(TestModels.configJson(family, options));
        List<OutputTensor> tensors = new ArrayList<>();
        for (OutputTensor t : TestModels.tensors(config, options, 11)) {
            float[] v = t.values().get().clone();
            if (t.name().endsWith("mlp.down_proj.weight")) {
                for (int i = 0; i < v.length; i += 3) {
                    v[i] = (i % 2 == 0) ? 0f : -0f;
                }
            }
            if (t.name().equals("model.layers.1.self_attn.q_proj.weight")) {
                java.util.Arrays.fill(v, 0f);
            }
            tensors.add(OutputTensor.of(t.name(), t.dtype(), t.shape(), v));
        }
        Path model = dir.resolve("model");
        Path tokenizerSource = dir.resolve("tok");
        TestModels.write(tokenizerSource, family, 1, options.layers(1));
        ModelFolderWriter.to(model).config(config).copyFilesFrom(tokenizerSource)
                .maxShardBytes(options.maxShardBytes() > 0 ? options.maxShardBytes() : Long.MAX_VALUE).write(tensors);
        return model;
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void zeroCountsMatchAnElementByElementCountOfTheStoredValues(DType dtype) throws IOException {
        Path model = prunedModel(Family.LLAMA, TestModels.options().dtype(dtype).sharded(true));
        ModelReport report = ModelInspector.inspect(model, Progress.NONE);
        try (Checkpoint c = Checkpoint.open(model)) {
            assertThat(c.files()).hasSizeGreaterThan(1);
            for (TensorReport t : report.tensors()) {
                long zeros = 0;
                for (float x : c.floats(t.name())) {
                    zeros += x == 0f ? 1 : 0;
                }
                assertThat(t.zeros()).as(t.name()).isEqualTo(zeros);
                assertThat(t.parameters()).isEqualTo(c.info(t.name()).numel());
                assertThat(t.dtype()).isEqualTo(dtype.name());
                assertThat(t.file()).isEqualTo(c.file(t.name()).path().getFileName().toString());
            }
        }
        TensorReport q1 = report.tensors().stream().filter(t -> t.name().equals("model.layers.1.self_attn.q_proj.weight"))
                .findFirst().orElseThrow();
        assertThat(q1.zeroFraction()).isEqualTo(1.0);
        assertThat(q1.layer()).isEqualTo(1);
    }

    @Test
    void layersSumTheirTensorsAndTotalsSumEverything() throws IOException {
        Path model = prunedModel(Family.QWEN2, TestModels.options().layers(3));
        ModelReport report = ModelInspector.inspect(model, Progress.NONE);

        Map<Integer, long[]> expected = new TreeMap<>();
        long parameters = 0;
        long zeros = 0;
        for (TensorReport t : report.tensors()) {
            parameters += t.parameters();
            zeros += t.zeros();
            if (t.name().startsWith("model.layers.")) {
                int layer = Integer.parseInt(t.name().split("\\.")[2]);
                long[] acc = expected.computeIfAbsent(layer, k -> new long[2]);
                acc[0] += t.parameters();
                acc[1] += t.zeros();
            } else {
                assertThat(t.layer()).as(t.name()).isNull();
            }
        }
        assertThat(report.layers()).hasSize(3);
        for (ModelReport.LayerReport layer : report.layers()) {
            assertThat(layer.parameters()).isEqualTo(expected.get(layer.index())[0]);
            assertThat(layer.zeros()).isEqualTo(expected.get(layer.index())[1]);
        }
        assertThat(report.parameterCount()).isEqualTo(parameters).isEqualTo(report.configParameterCount());
        assertThat(report.zeros()).isEqualTo(zeros);
        assertThat(report.zeroFraction()).isEqualTo((double) zeros / parameters);
        assertThat(report.dtypes()).containsOnlyKeys("F32");
        assertThat(report.architecture().family()).isEqualTo("qwen2");
        assertThat(report.architecture().keyValueHeads()).isEqualTo(2);
    }

    @Test
    void everyFileIsListedWithItsSha256() throws Exception {
        Path model = prunedModel(Family.MISTRAL, TestModels.options().sharded(true));
        ModelReport report = ModelInspector.inspect(model, Progress.NONE);
        List<String> names;
        try (var list = Files.list(model)) {
            names = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(report.files()).extracting(ModelReport.FileReport::name).containsExactlyElementsOf(names);
        long total = 0;
        for (ModelReport.FileReport f : report.files()) {
            assertThat(f.sha256()).as(f.name()).isEqualTo(sha256(model.resolve(f.name())));
            assertThat(f.bytes()).isEqualTo(Files.size(model.resolve(f.name())));
            total += f.bytes();
        }
        assertThat(report.fileBytes()).isEqualTo(total);
        assertThat(report.files().stream().filter(f -> f.name().endsWith(".safetensors")).mapToInt(ModelReport.FileReport::tensors)
                .sum()).isEqualTo(report.tensors().size());
    }

    @Test
    void progressCountsBytesUpToTheFolderSize() throws IOException {
        Path model = prunedModel(Family.LLAMA, TestModels.options());
        List<long[]> reports = new ArrayList<>();
        ModelReport report = ModelInspector.inspect(model, (stage, done, total, message) -> {
            assertThat(stage).isEqualTo(ModelInspector.STAGE);
            reports.add(new long[] {done, total});
        });
        assertThat(reports).isNotEmpty();
        long[] last = reports.getLast();
        assertThat(last[0]).isEqualTo(last[1]).isEqualTo(report.fileBytes());
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
        }
    }

    @Test
    void aCancelledInspectionStops() throws IOException {
        Path model = prunedModel(Family.LLAMA, TestModels.options());
        Progress cancelled = new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
            }

            @Override
            public boolean cancelRequested() {
                return true;
            }
        };
        assertThatThrownBy(() -> ModelInspector.inspect(model, cancelled)).isInstanceOf(Progress.Cancelled.class);
    }

    @Test
    void mixtureOfExpertsCountsComeFromTheConfig() throws IOException {
        Path model = dir.resolve("moe");
        TestModels.write(model, Family.QWEN2_MOE, 3, TestModels.options().experts(6).expertsPerToken(2));
        ModelReport report = ModelInspector.inspect(model, Progress.NONE);
        assertThat(report.architecture().mixtureOfExperts()).isTrue();
        assertThat(report.architecture().experts()).isEqualTo(6);
        assertThat(report.architecture().expertsPerToken()).isEqualTo(2);
        assertThat(report.architecture().sharedExpertIntermediateSize()).isEqualTo(48);
        assertThat(report.parameterCount()).isEqualTo(report.configParameterCount());
        assertThat(report.tensors()).anyMatch(t -> t.name().equals("model.layers.1.mlp.experts.5.down_proj.weight"));
    }

    @Test
    void theReportSerialisesToJson() throws IOException {
        Path model = dir.resolve("m");
        TestModels.write(model, Family.QWEN3, 4, TestModels.options().dtype(DType.BF16).tied(true));
        ModelReport report = ModelInspector.inspect(model, Progress.NONE);
        JsonMapper json = new JsonMapper();
        JsonNode tree = json.readTree(json.writeValueAsString(report));
        assertThat(tree.path("architecture").path("architecture").stringValue()).isEqualTo("Qwen3ForCausalLM");
        assertThat(tree.path("architecture").path("tiedEmbeddings").booleanValue()).isTrue();
        assertThat(tree.path("parameterCount").longValue()).isEqualTo(report.parameterCount());
        assertThat(tree.path("tensors").get(0).path("shape").isArray()).isTrue();
        assertThat(tree.path("layers").size()).isEqualTo(2);
        assertThat(tree.path("files").get(0).path("sha256").stringValue()).hasSize(64);
    }

    @Test
    void aLinkLeadingOutOfTheFolderIsRefusedAndOneInsideIsListed() throws IOException {
        Path model = dir.resolve("linked");
        TestModels.write(model, Family.LLAMA, 2, TestModels.options());
        Path outside = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0");
        Files.createSymbolicLink(model.resolve("notes.txt"), outside);
        assertThatThrownBy(() -> ModelInspector.inspect(model, Progress.NONE))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("notes.txt").hasMessageContaining("outside");

        // The same link is fine when the folder it leads to is allowed (a blob store beside the snapshot).
        ModelReport report = ModelInspector.inspect(model, List.of(dir), Progress.NONE);
        assertThat(report.files()).anyMatch(f -> f.name().equals("notes.txt") && f.bytes() == 10);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void nanAndInfiniteWeightsAreCountedPerTensorAndInTotal(DType dtype) throws IOException {
        Path model = dir.resolve("nan");
        TestModels.write(model, Family.LLAMA, 5, TestModels.options().dtype(dtype), (name, v) -> {
            if (name.equals("model.layers.0.mlp.up_proj.weight")) {
                v[0] = Float.NaN;
                v[9] = Float.POSITIVE_INFINITY;
                v[10] = Float.NEGATIVE_INFINITY;
            }
            return v;
        });

        ModelReport report = ModelInspector.inspect(model, Progress.NONE);
        assertThat(report.nonFinite()).isEqualTo(3);
        for (TensorReport t : report.tensors()) {
            assertThat(t.nonFinite()).as(t.name()).isEqualTo(t.name().equals("model.layers.0.mlp.up_proj.weight") ? 3 : 0);
        }
    }

    @Test
    void blockIndicesAreParsedFromTensorNames() {
        assertThat(ModelInspector.layerOf("model.layers.12.mlp.up_proj.weight")).isEqualTo(12);
        assertThat(ModelInspector.layerOf("model.language_model.layers.3.self_attn.q_proj.weight")).isEqualTo(3);
        assertThat(ModelInspector.layerOf("model.norm.weight")).isNull();
        assertThat(ModelInspector.layerOf("lm_head.weight")).isNull();
    }
}
