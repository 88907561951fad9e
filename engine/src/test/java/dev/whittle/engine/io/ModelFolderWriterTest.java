package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.TestModels;

class ModelFolderWriterTest {

    @TempDir
    Path dir;

    private List<OutputTensor> copyAll(Checkpoint source) {
        List<OutputTensor> out = new ArrayList<>();
        source.names().forEach(n -> out.add(OutputTensor.copyOf(source, n)));
        return out;
    }

    @Test
    void aRewrittenModelFolderIsBitIdenticalAndCarriesTheTokenizerFiles() throws IOException {
        Path source = dir.resolve("source");
        TestModels.write(source, Family.QWEN2, 5);
        Files.writeString(source.resolve("generation_config.json"), "{\"do_sample\": false}");
        Path target = dir.resolve("copy");
        try (Checkpoint in = Checkpoint.open(source)) {
            ModelFolderWriter.to(target).config(ModelConfig.load(source)).copyFilesFrom(source)
                    .maxShardBytes(20_000).write(copyAll(in));
            try (Checkpoint out = Checkpoint.open(target)) {
                assertThat(out.files()).hasSizeGreaterThan(1);
                assertThat(out.names()).containsExactlyInAnyOrderElementsOf(in.names());
                for (String name : in.names()) {
                    assertThat(out.segment(name).mismatch(in.segment(name))).as(name).isEqualTo(-1L);
                }
            }
        }
        for (String file : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertThat(target.resolve(file)).hasSameBinaryContentAs(source.resolve(file));
        }
        assertThat(ModelConfig.load(target).json()).isEqualTo(ModelConfig.load(source).json());
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("source", "copy");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void aModelReadAsFloatsAndWrittenBackGivesByteIdenticalFiles(DType dtype) throws IOException {
        Path source = dir.resolve("source");
        TestModels.write(source, Family.LLAMA, 8, TestModels.options().dtype(dtype).sharded(true));
        Path target = dir.resolve("again");
        try (Checkpoint in = Checkpoint.open(source)) {
            List<OutputTensor> tensors = new ArrayList<>();
            for (String name : in.names()) {
                tensors.add(OutputTensor.of(name, in.info(name).dtype(), in.info(name).shape(), () -> in.floats(name)));
            }
            ModelFolderWriter.to(target).config(ModelConfig.load(source)).copyFilesFrom(source)
                    .maxShardBytes(TestModels.options().sharded(true).maxShardBytes()).write(tensors);
        }
        try (var files = Files.list(source)) {
            for (Path file : files.toList()) {
                assertThat(target.resolve(file.getFileName())).as(file.getFileName().toString()).hasSameBinaryContentAs(file);
            }
        }
    }

    @Test
    void anExistingFolderIsNeverOverwritten() throws IOException {
        Path target = Files.createDirectory(dir.resolve("taken"));
        ModelConfig config = ModelConfig.of(TestModels.configJson(Family.LLAMA, TestModels.options()));
        assertThatThrownBy(() -> ModelFolderWriter.to(target).config(config).write(List.of()))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void aFailureMidWriteLeavesNeitherTheTargetNorATemporaryFolder() throws IOException {
        ModelConfig config = ModelConfig.of(TestModels.configJson(Family.LLAMA, TestModels.options()));
        List<OutputTensor> tensors = List.of(
                OutputTensor.of("a", DType.F32, new long[] {2}, new float[2]),
                OutputTensor.of("b", DType.F32, new long[] {2}, () -> {
                    throw new IllegalStateException("source went away");
                }));
        Path target = dir.resolve("broken");
        assertThatThrownBy(() -> ModelFolderWriter.to(target).config(config).write(tensors))
                .hasMessageContaining("source went away");
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void cancellationBetweenTensorsRemovesThePartialFolder() throws IOException {
        ModelConfig config = ModelConfig.of(TestModels.configJson(Family.LLAMA, TestModels.options()));
        List<OutputTensor> tensors = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tensors.add(OutputTensor.of("t" + i, DType.F32, new long[] {4}, new float[4]));
        }
        int[] reports = {0};
        Progress cancelAfterTwo = new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                reports[0]++;
            }

            @Override
            public boolean cancelRequested() {
                return reports[0] >= 2;
            }
        };
        assertThatThrownBy(() -> ModelFolderWriter.to(dir.resolve("m")).config(config).progress(cancelAfterTwo)
                .write(tensors)).isInstanceOf(Progress.Cancelled.class);
        assertThat(reports[0]).isEqualTo(2);
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
