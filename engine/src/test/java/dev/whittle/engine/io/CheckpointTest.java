package dev.whittle.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.whittle.engine.Progress;

class CheckpointTest {

    @TempDir
    Path dir;

    private Path index;

    @BeforeEach
    void writeShardedCheckpoint() throws IOException {
        List<OutputTensor> tensors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] v = {i, i + 0.5f};
            tensors.add(OutputTensor.of("t" + i, DType.F32, new long[] {2}, v));
        }
        SafetensorsWriter.writeShards(dir, tensors, Map.of(), 16, Progress.NONE);
        index = dir.resolve(Checkpoint.INDEX_FILE);
    }

    private void rewriteIndex(String from, String to) throws IOException {
        Files.writeString(index, Files.readString(index).replace(from, to));
    }

    @Test
    void aShardedCheckpointFindsEveryTensorInItsShard() throws IOException {
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.names()).containsExactly("t0", "t1", "t2", "t3");
            assertThat(c.files()).hasSize(2);
            assertThat(c.file("t3").path().getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
            assertThat(c.floats("t3")).containsExactly(3f, 3.5f);
            assertThat(c.contains("t9")).isFalse();
            assertThat(c.totalBytes()).isEqualTo(32);
        }
    }

    @Test
    void anIndexListingAMissingShardIsRejected() throws IOException {
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(index.toString())
                .hasMessageContaining("model-00002-of-00002.safetensors")
                .hasMessageContaining("does not exist");
    }

    @Test
    void anIndexPlacingATensorInTheWrongShardIsRejected() throws IOException {
        rewriteIndex("\"t3\" : \"model-00002-of-00002.safetensors\"", "\"t3\" : \"model-00001-of-00002.safetensors\"");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("t3").hasMessageContaining("that shard has no such tensor");
    }

    @Test
    void aShardTensorMissingFromTheIndexIsRejected() throws IOException {
        rewriteIndex("\"t0\" : \"model-00001-of-00002.safetensors\",", "");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model-00001-of-00002.safetensors").hasMessageContaining("t0")
                .hasMessageContaining("not listed");
    }

    @Test
    void anIndexPointingOutsideTheFolderIsRejected() throws IOException {
        rewriteIndex("\"t3\" : \"model-00002-of-00002.safetensors\"", "\"t3\" : \"../elsewhere.safetensors\"");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("../elsewhere.safetensors").hasMessageContaining("inside the model folder");
    }

    @Test
    void aMalformedIndexIsRejected() throws IOException {
        Files.writeString(index, "{\"weight_map\": [");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(index.toString()).hasMessageContaining("not well-formed JSON");
        Files.writeString(index, "{\"metadata\": {}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("weight_map");
    }

    @Test
    void aFolderWithoutWeightsSaysWhatItExpected(@TempDir Path empty) {
        assertThatThrownBy(() -> Checkpoint.open(empty)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors");
        assertThat(Checkpoint.exists(empty)).isFalse();
        assertThat(Checkpoint.exists(dir)).isTrue();
    }

    @Test
    void aSingleFileCanBeOpenedDirectly() throws IOException {
        Path file = dir.resolve("alone.safetensors");
        SafetensorsWriter.write(file, List.of(OutputTensor.of("x", DType.BF16, new long[] {1}, new float[] {2})), Map.of());
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.floats("x")).containsExactly(2f);
        }
    }
}
