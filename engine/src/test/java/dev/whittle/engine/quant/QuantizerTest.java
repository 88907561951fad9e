package dev.whittle.engine.quant;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The QUANTIZE pipeline on a tiny model: what it writes, how it reads back, and GPTQ against RTN. */
class QuantizerTest {

    @TempDir
    Path tmp;
    private Path source;
    private CalibrationWindows windows;

    @BeforeEach
    void model() throws IOException {
        source = tmp.resolve("model");
        TestModels.write(source, Family.LLAMA, 21, TestModels.options().dtype(DType.BF16));
        Path text = tmp.resolve("calibration.txt");
        Files.writeString(text, (TestTokenizers.TRAINING_TEXT + "\n\n").repeat(6));
        try (Tokenizer tokenizer = Tokenizer.load(source)) {
            windows = new CalibrationSampler().sample(tokenizer, new CalibrationSource.TextFile(text),
                    new Calibration("calibration.txt", null, null, 8, 64, 3L), 512);
        }
    }

    private static QuantizeParameters.Gptq gptq(int bits, int group, boolean symmetric, QuantizeParameters.Format f) {
        return new QuantizeParameters.Gptq(bits, group, symmetric, null, null, null, f, null, null, null);
    }

    @Test
    void packQuantizedOutputDeclaresItsSchemeAndLoadsAsTheDequantisedWeights() throws IOException {
        var fake = Quantizer.quantize(source, tmp.resolve("fake"), gptq(4, 32, false, QuantizeParameters.Format.FAKE),
                windows, Progress.NONE);
        var packed = Quantizer.quantize(source, tmp.resolve("packed"),
                gptq(4, 32, false, QuantizeParameters.Format.PACK_QUANTIZED), windows, Progress.NONE);

        ModelConfig config = ModelConfig.load(packed.model());
        JsonNode q = config.get("quantization_config");
        assertThat(q.get("quant_method").stringValue()).isEqualTo("compressed-tensors");
        assertThat(q.get("format").stringValue()).isEqualTo("pack-quantized");
        JsonNode weights = q.get("config_groups").get("group_0").get("weights");
        assertThat(weights.get("num_bits").intValue()).isEqualTo(4);
        assertThat(weights.get("group_size").intValue()).isEqualTo(32);
        assertThat(weights.get("strategy").stringValue()).isEqualTo("group");
        assertThat(weights.get("symmetric").booleanValue()).isFalse();
        assertThat(q.get("ignore").toString()).contains("lm_head");
        try (Checkpoint checkpoint = Checkpoint.open(packed.model())) {
            String m = "model.layers.0.mlp.down_proj";
            assertThat(checkpoint.contains(m + ".weight")).isFalse();
            assertThat(checkpoint.info(m + ".weight_packed").shape()).containsExactly(64, 96 / 8);
            assertThat(checkpoint.info(m + ".weight_scale").shape()).containsExactly(64, 3);
            assertThat(checkpoint.info(m + ".weight_scale").dtype()).isEqualTo(DType.BF16);
            assertThat(checkpoint.info(m + ".weight_zero_point").shape()).containsExactly(8, 3);
            assertThat(checkpoint.info(m + ".weight_shape").dtype()).isEqualTo(DType.I64);
        }

        // fake stores (q - z) s exactly in fp32... rounded to the model's bf16; the packed model reads back unrounded
        Decoder fromPacked = DecoderLoader.load(packed.model(), Progress.NONE);
        Decoder fromFake = DecoderLoader.load(fake.model(), Progress.NONE);
        for (int i = 0; i < fromPacked.linears().size(); i++) {
            Linear a = fromPacked.linears().get(i);
            Linear b = fromFake.linears().get(i);
            for (int k = 0; k < a.weight().length; k++) {
                float rounded = dev.whittle.engine.tensor.Convert.bf16ToF32(
                        dev.whittle.engine.tensor.Convert.f32ToBf16(a.weight()[k]));
                assertThat(b.weight()[k]).as(a.name()).isEqualTo(rounded);
            }
        }
        assertThat(packed.statistics().weightBytes()).isLessThan(fake.statistics().weightBytes());
        assertThat(packed.statistics().layers()).hasSize(14).allSatisfy(l -> assertThat(l.outputError()).isNotNull());
        // 4-bit codes, a bf16 scale and a 4-bit zero point per 32 weights
        assertThat(packed.statistics().bitsPerWeight()).isEqualTo(4 + 16.0 / 32 + 4.0 / 32);
    }

    @Test
    void aModelLoadedForInferenceDecodesOnItsPackedInt4CodesAndGeneratesWhatTheDequantisedOneDoes() throws IOException {
        Path out = tmp.resolve("int4");
        Quantizer.quantize(source, out, new QuantizeParameters.Rtn(4, 32, true, null, null, null), windows,
                Progress.NONE);
        Decoder dequantised = DecoderLoader.load(out, Progress.NONE);
        Decoder packed = DecoderLoader.loadForInference(out, Progress.NONE);

        for (int b = 0; b < packed.blocks().size(); b++) {
            Linear k = packed.blocks().get(b).attention().kProj();
            assertThat(k.int4()).as(k.name()).isNotNull();
            assertThat(dequantised.blocks().get(b).attention().kProj().int4()).isNull();
            for (Linear l : packed.blocks().get(b).mlp().linears()) {
                assertThat(l.int4()).as(l.name()).isNotNull();
            }
        }
        try (Tokenizer tokenizer = Tokenizer.load(out)) {
            int[] prompt = tokenizer.encode("the quick brown fox", true);
            Generator.Settings greedy = Generator.Settings.greedy(12);
            int[] expected = new Generator(dequantised, tokenizer).generate(prompt, greedy, t -> { }, Progress.NONE)
                    .tokens();
            int[] actual = new Generator(packed, tokenizer).generate(prompt, greedy, t -> { }, Progress.NONE).tokens();
            assertThat(actual).isEqualTo(expected);
        }
        // a model that is not pack-quantized loads as it is
        assertThat(DecoderLoader.loadForInference(source, Progress.NONE).blocks().get(0).attention().kProj().int4())
                .isNull();
    }

    @Test
    void theIndependentDecoderReadsTheSameWeightsAsTheEngine() throws Exception {
        assumeTrue(python3(), "python3 is not on PATH");
        for (boolean symmetric : new boolean[] {true, false}) {
            for (int bits : symmetric ? new int[] {3, 8} : new int[] {4}) {
                Path out = tmp.resolve("q" + bits + symmetric);
                Quantizer.quantize(source, out, new QuantizeParameters.Rtn(bits, symmetric ? -1 : 32, symmetric,
                        null, null, null), windows, Progress.NONE);
                Decoder decoder = DecoderLoader.load(out, Progress.NONE);
                for (Linear linear : List.of(decoder.blocks().get(1).attention().kProj(),
                        decoder.blocks().get(0).mlp().linears().get(2))) {
                    Path decoded = tmp.resolve("decoded.bin");
                    Process p = new ProcessBuilder("python3", Path.of("..", "scripts", "decode_pack_quantized.py")
                            .toAbsolutePath().normalize().toString(), out.toString(), linear.name(), decoded.toString())
                            .redirectErrorStream(true).start();
                    String log = new String(p.getInputStream().readAllBytes());
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).as(log).isZero();
                    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(decoded)).order(ByteOrder.LITTLE_ENDIAN);
                    float[] python = new float[linear.weight().length];
                    bytes.asFloatBuffer().get(python);
                    assertThat(python).as(linear.name() + " at " + bits + " bits").containsExactly(linear.weight());
                }
            }
        }
    }

    @Test
    void gptqReconstructsTheOutputsOfRealActivationsBetterThanRtn() throws IOException {
        Decoder decoder = DecoderLoader.load(source, Progress.NONE);
        java.util.Map<String, double[][]> grams = grams(decoder);
        for (int group : new int[] {32, QuantizationScheme.PER_CHANNEL}) {
            QuantizationScheme scheme = new QuantizationScheme(3, group, true, DType.BF16);
            for (Linear linear : decoder.linears()) {
                if (linear.name().equals("lm_head")) {
                    continue;
                }
                double[][] gram = grams.get(linear.name());
                float[] h = new float[linear.in() * linear.in()];
                for (int i = 0; i < h.length; i++) {
                    h[i] = (float) gram[i / linear.in()][i % linear.in()];
                }
                float[] rtn = RtnQuantization.quantize(linear.weight(), linear.out(), linear.in(), scheme).dequantize();
                float[] gptq = linear.weight().clone();
                GptqQuantization.quantize(gptq, linear.out(), linear.in(),
                        GptqQuantization.prepare(h, linear.in(), 0.01, false), scheme, 128);
                assertThat(outputError(linear, gptq, gram)).as(linear.name() + " group " + group)
                        .isLessThan(outputError(linear, rtn, gram));
            }
        }
    }

    @Test
    void gptqOnAPrunedModelKeepsItsZerosAndItsSparsityRecord() throws IOException {
        Path pruned = dev.whittle.engine.prune.Pruner.prune(source, tmp.resolve("pruned"),
                new dev.whittle.engine.prune.PruneParameters.Magnitude(null,
                        new dev.whittle.engine.prune.NmSparsity(2, 4), null, null, null, null), windows, Progress.NONE)
                .model();
        Path quantized = Quantizer.quantize(pruned, tmp.resolve("quantized"), gptq(4, 32, false, null), windows,
                Progress.NONE).model();
        Decoder before = DecoderLoader.load(pruned, Progress.NONE);
        Decoder after = DecoderLoader.load(quantized, Progress.NONE);
        for (int i = 0; i < before.linears().size(); i++) {
            float[] a = before.linears().get(i).weight();
            float[] b = after.linears().get(i).weight();
            for (int k = 0; k < a.length; k++) {
                if (a[k] == 0) { // (a small kept weight may round to zero too)
                    assertThat(b[k]).as(before.linears().get(i).name() + "[" + k + "]").isZero();
                }
            }
        }
        JsonNode q = ModelConfig.load(quantized).get("quantization_config");
        assertThat(q.get("sparsity_config").get("sparsity_structure").stringValue()).isEqualTo("2:4");
        assertThat(q.get("format").stringValue()).isEqualTo("pack-quantized");
    }

    @Test
    void reportsProgressPerBlock() throws IOException {
        List<String> reports = new ArrayList<>();
        Progress recorder = new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                if (stage.equals("quantize")) {
                    reports.add(done + "/" + total);
                }
            }
        };
        Quantizer.quantize(source, tmp.resolve("out"), gptq(8, 32, true, null), windows, recorder);
        assertThat(reports).containsExactly("1/2", "2/2");
    }

    /** {@code ||(W - Q) X^T||_F^2} in double from the Gram matrix {@code X^T X}. */
    private static double outputError(Linear linear, float[] q, double[][] gram) {
        int in = linear.in();
        double total = 0;
        for (int r = 0; r < linear.out(); r++) {
            double[] d = new double[in];
            for (int j = 0; j < in; j++) {
                d[j] = (double) linear.weight()[r * in + j] - q[r * in + j];
            }
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < in; j++) {
                    total += d[i] * gram[i][j] * d[j];
                }
            }
        }
        return total;
    }

    /** {@code X^T X} in double of every block linear's inputs over the calibration windows, from one pass. */
    private java.util.Map<String, double[][]> grams(Decoder decoder) {
        java.util.Map<String, double[][]> grams = new java.util.HashMap<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void linearInput(String name, float[] x, int offset, int rows, int cols) {
                double[][] g = grams.computeIfAbsent(name, n -> new double[cols][cols]);
                for (int t = 0; t < rows; t++) {
                    int row = offset + t * cols;
                    for (int i = 0; i < cols; i++) {
                        double xi = x[row + i];
                        double[] gi = g[i];
                        for (int j = 0; j < cols; j++) {
                            gi[j] += xi * x[row + j];
                        }
                    }
                }
            }
        };
        ForwardState state = ForwardState.forInference();
        for (int[] window : windows.windows()) {
            decoder.forward(Batch.of(window), state, hooks);
        }
        return grams;
    }

    private static boolean python3() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
