package dev.whittle.engine.model;

import dev.whittle.engine.Progress;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardHooksTest {

    @TempDir
    Path tmp;

    @Test
    void everyLinearLayerReportsItsInputUnderItsCheckpointName() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN3, 2, TestModels.options().layers(2).headDim(24));
        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
        List<String> seen = new ArrayList<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
                seen.add(linear + " " + rows + "x" + cols);
            }
        };

        decoder.forward(Batch.of(List.of(new int[5], new int[2])), ForwardState.forInference(), hooks);

        List<String> expected = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            String p = "model.layers." + l;
            expected.addAll(List.of(p + ".self_attn.q_proj 7x64", p + ".self_attn.k_proj 7x64",
                    p + ".self_attn.v_proj 7x64", p + ".self_attn.o_proj 7x96", p + ".mlp.gate_proj 7x64",
                    p + ".mlp.up_proj 7x64", p + ".mlp.down_proj 7x96"));
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(decoder.linears()).extracting(Linear::name)
                .containsExactlyElementsOf(expected.stream().map(s -> s.substring(0, s.indexOf(' '))).toList());
    }

    @Test
    void mixtureOfExpertsLayersReportTheirRoutingAndEachExpertRunsOnExactlyTheRowsRoutedToIt() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.MIXTRAL, 2, TestModels.options().experts(5).expertsPerToken(2));
        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
        java.util.Map<String, List<List<Integer>>> routed = new java.util.HashMap<>();
        java.util.Map<String, List<List<Integer>>> ran = new java.util.HashMap<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void routing(String router, int rows, int topK, int[] experts, float[] weights) {
                List<List<Integer>> perExpert = new ArrayList<>();
                for (int e = 0; e < 5; e++) {
                    perExpert.add(new ArrayList<>());
                }
                for (int r = 0; r < rows; r++) {
                    assertThat(topK).isEqualTo(2);
                    assertThat(experts[r * 2]).isNotEqualTo(experts[r * 2 + 1]);
                    assertThat(weights[r * 2]).isGreaterThanOrEqualTo(weights[r * 2 + 1]);
                    assertThat(weights[r * 2] + weights[r * 2 + 1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
                    perExpert.get(experts[r * 2]).add(r);
                    perExpert.get(experts[r * 2 + 1]).add(r);
                }
                routed.put(router, perExpert);
            }

            @Override
            public void expertOutput(String router, int expert, int[] rows, float[] output, int count, int dim) {
                assertThat(dim).isEqualTo(64);
                List<List<Integer>> perExpert = ran.computeIfAbsent(router, k -> {
                    List<List<Integer>> list = new ArrayList<>();
                    for (int e = 0; e < 5; e++) {
                        list.add(new ArrayList<>());
                    }
                    return list;
                });
                for (int j = 0; j < count; j++) {
                    perExpert.get(expert).add(rows[j]);
                }
            }
        };

        decoder.forward(Batch.of(List.of(new int[]{3, 1, 4, 1, 5, 9, 2, 6}, new int[]{5, 3, 5})),
                ForwardState.forInference(), hooks);

        assertThat(routed.keySet()).containsExactlyInAnyOrder("model.layers.0.block_sparse_moe.gate",
                "model.layers.1.block_sparse_moe.gate");
        assertThat(ran).isEqualTo(routed);
    }

    @Test
    void theStateLeavingABlockIsTheStateEnteringTheNextAndTheHeadReadsTheLastOneNormed() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.LLAMA, 2, TestModels.options().layers(3));
        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
        List<float[]> inputs = new ArrayList<>();
        List<float[]> outputs = new ArrayList<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void blockInput(int block, float[] hidden, int rows, int dim) {
                inputs.add(Arrays.copyOf(hidden, rows * dim));
            }

            @Override
            public void blockOutput(int block, float[] hidden, int rows, int dim) {
                outputs.add(Arrays.copyOf(hidden, rows * dim));
            }
        };
        int[] tokens = {3, 1, 4, 1, 5};
        ForwardState state = ForwardState.forInference();

        decoder.forward(Batch.of(tokens), state, hooks);

        assertThat(inputs).hasSize(3);
        assertThat(inputs.getFirst()).isEqualTo(embeddingRows(decoder, tokens));
        assertThat(inputs.get(1)).isEqualTo(outputs.get(0));
        assertThat(inputs.get(2)).isEqualTo(outputs.get(1));
        assertThat(Arrays.copyOf(state.hidden, 5 * 64)).isEqualTo(outputs.get(2));
    }

    @Test
    void aTrainingStateKeepsEachBlocksOwnActivations() throws IOException {
        TestModels.write(tmp.resolve("m"), Family.QWEN3, 2, TestModels.options().layers(2));
        Decoder decoder = DecoderLoader.load(tmp.resolve("m"), Progress.NONE);
        List<float[]> inputs = new ArrayList<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void blockInput(int block, float[] hidden, int rows, int dim) {
                inputs.add(Arrays.copyOf(hidden, rows * dim));
            }
        };
        ForwardState state = ForwardState.forTraining();

        decoder.forward(Batch.of(new int[] {9, 8, 7}), state, hooks);

        assertThat(state.block(0)).isNotSameAs(state.block(1));
        for (int b = 0; b < 2; b++) {
            BlockActivations a = state.block(b);
            assertThat(Arrays.copyOf(a.input, 3 * 64)).isEqualTo(inputs.get(b));
            assertThat(a.lse).isNotNull();
            assertThat(a.qProj).isNotNull();
            assertThat(((SwiGluMlp.Activations) a.mlp).product).isNotNull();
        }
    }

    private static float[] embeddingRows(Decoder decoder, int[] tokens) {
        int h = decoder.hiddenSize();
        float[] rows = new float[tokens.length * h];
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(decoder.embedding(), tokens[t] * h, rows, t * h, h);
        }
        return rows;
    }
}
