package dev.whittle.engine.prune.experts;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.ScalarDecoder;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.whittle.engine.testing.FiniteDifferences.assertClose;
import static dev.whittle.engine.testing.FiniteDifferences.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpertRemovalTest {

    private static final int[] TOKENS = {5, 77, 140};

    @TempDir
    Path tmp;

    /**
     * Three tokens reach at most six of eight experts per layer: removing two that none of them reached must leave
     * every logit as it was (Mixtral renormalises the top-k, so the softmax over fewer experts mixes the same way),
     * and the saved model, read by the independent double-precision reference decoder, must give those logits too.
     */
    @Test
    void removingExpertsNoTokenReachedKeepsTheLogitsAndTheSavedModelLoadsUpstream() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.write(dir, Family.MIXTRAL, 13, TestModels.options().experts(8).expertsPerToken(2));
        Decoder decoder = DecoderLoader.load(dir, Progress.NONE);
        float[] before = decoder.logits(TOKENS);
        Map<String, TreeSet<Integer>> used = new HashMap<>();
        ForwardHooks routing = new ForwardHooks() {
            @Override
            public void routing(String router, int rows, int topK, int[] experts, float[] weights) {
                for (int i = 0; i < rows * topK; i++) {
                    used.computeIfAbsent(router, r -> new TreeSet<>()).add(experts[i]);
                }
            }
        };
        decoder.forward(Batch.of(TOKENS), ForwardState.forInference(), routing);
        Map<Integer, int[]> kept = new HashMap<>();
        for (int position = 0; position < decoder.blocks().size(); position++) {
            MoeFeedForward moe = (MoeFeedForward) decoder.blocks().get(position).mlp();
            TreeSet<Integer> reached = used.get(moe.router().name());
            List<Integer> keep = new ArrayList<>(reached);
            for (int e = 0; e < 8 && keep.size() < 6; e++) {
                if (!reached.contains(e)) {
                    keep.add(e);
                }
            }
            kept.put(position, keep.stream().sorted().mapToInt(Integer::intValue).toArray());
        }

        Decoder pruned = ExpertRemoval.keep(decoder, kept);
        assertClose("pruned logits", pruned.logits(TOKENS), toDouble(before), 1e-5, 1e-5);

        Path out = tmp.resolve("pruned");
        ModelFolderWriter.to(out).config(DecoderTensors.config(pruned)).copyFilesFrom(dir)
                .write(DecoderTensors.of(pruned, DType.F32));
        ModelConfig config = ModelConfig.load(out);
        assertThat(config.moe().numExperts()).isEqualTo(6);
        assertThat(config.json().get("num_local_experts").asInt()).isEqualTo(6);
        float[] reloaded = DecoderLoader.load(out, Progress.NONE).logits(TOKENS);
        assertClose("reloaded logits", reloaded, toDouble(before), 1e-5, 1e-5);
        double[][] reference = ScalarDecoder.load(out).logits(TOKENS);
        double[] flat = Arrays.stream(reference).flatMapToDouble(Arrays::stream).toArray();
        assertClose("the saved model read by the reference decoder", before, flat, 1e-4, 1e-4);
    }

    @Test
    void refusesFewerExpertsThanTopKUnequalLayersAndDenseModels() throws IOException {
        Path moeDir = tmp.resolve("moe");
        TestModels.write(moeDir, Family.MIXTRAL, 13, TestModels.options().experts(4).expertsPerToken(2));
        Decoder moe = DecoderLoader.load(moeDir, Progress.NONE);
        Path denseDir = tmp.resolve("dense");
        TestModels.write(denseDir, Family.LLAMA, 13);
        Decoder dense = DecoderLoader.load(denseDir, Progress.NONE);

        assertThatThrownBy(() -> ExpertRemoval.keep(moe, Map.of(0, new int[]{1}, 1, new int[]{2})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than the 2");
        assertThatThrownBy(() -> ExpertRemoval.keep(moe, Map.of(0, new int[]{0, 1, 2}, 1, new int[]{0, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as many experts");
        assertThatThrownBy(() -> ExpertRemoval.keep(dense, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Mixture-of-Experts");
    }
}
