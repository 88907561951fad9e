package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.quant.PackedInt32;
import dev.whittle.engine.quant.QuantizationScheme;
import dev.whittle.engine.quant.QuantizeParameters;
import dev.whittle.engine.quant.QuantizedMatrix;
import dev.whittle.engine.quant.Quantizer;
import dev.whittle.engine.quant.RtnQuantization;
import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Int4MatVec;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Decode (one token at a time after a 16-token prompt, KV cache, last logits) of the ~110M-parameter Llama of
 * {@link PrefillBench}, stored as BF16, three ways: the dense model; the same model quantized by RTN to int4, group
 * 128, symmetric, written pack-quantized and loaded as the engine runs it, which dequantises on load (so its decode
 * is the fp32 decode: the line shows that it is); and the same int4 model with its block linears decoding on the
 * packed codes ({@link Linear#withInt4}, {@link Int4MatVec}), its logits compared with the model as loaded. Then the
 * block linears of one decode step on their own, the fp32 matrix-vector product against the int4 one, with the bytes
 * of weights each reads per token and the largest difference between the two products. The works of each group run
 * in turn, the best of each kept. Ratios are to the dense decode of the same run.
 */
final class DecodeBench implements Benchmark {

    private static final int HIDDEN = 768;
    private static final int LAYERS = 12;
    private static final int HEADS = 12;
    private static final int INTERMEDIATE = 2048;
    private static final int VOCAB = 32000;
    private static final int PROMPT = 16;
    private static final int TOKENS = 32;
    private static final int GROUP = 128;

    @Override
    public String name() {
        return "decode";
    }

    @Override
    public String description() {
        return "decode tokens/s of a ~110M Llama: dense, int4 pack-quantized as loaded, and the int4 matrix-vector kernel";
    }

    @Override
    public void run(Report report) {
        ObjectNode config = RandomLlama.config(HIDDEN, INTERMEDIATE, LAYERS, HEADS, VOCAB, 2048);
        config.put("torch_dtype", "bfloat16");
        Decoder random = RandomLlama.load(config);
        Path dir;
        try {
            dir = Files.createTempDirectory("whittle-decode-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path source = ModelFolderWriter.to(dir.resolve("bf16")).config(random.config())
                    .write(DecoderTensors.of(random, DType.BF16));
            random = null;
            Decoder dense = DecoderLoader.load(source, Progress.NONE); // the weights as bf16 holds them
            QuantizeParameters rtn = new QuantizeParameters.Rtn(4, GROUP, true, null, null, null);
            Path quantized = Quantizer.quantize(source, dir.resolve("int4"), rtn, (CalibrationWindows) null,
                    Progress.NONE).model();
            Decoder loaded = DecoderLoader.load(quantized, Progress.NONE);
            Packed packed = Packed.of(dense);
            Decoder kernel = packed.decoder(dense);
            double[] seconds = alternating(List.of(() -> decode(dense), () -> decode(loaded), () -> decode(kernel)), 9.0);
            double perToken = seconds[0] / TOKENS;
            report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  1.00 of dense fp32  (%.1f ms per token, "
                            + "%.0fM parameters, %d tokens after a %d-token prompt)", "decode, dense (bf16 file, fp32 in "
                            + "memory)", 1 / perToken, perToken * 1e3, dense.parameterCount() / 1e6, TOKENS, PROMPT));
            report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  %4.2f of dense fp32  (dequantised on load: "
                            + "fp32 weights in memory, the same work; files %.0f MB against %.0f MB)",
                    "decode, int4 g128 as loaded", TOKENS / seconds[1], seconds[0] / seconds[1],
                    folderBytes(quantized) / 1e6, folderBytes(source) / 1e6));
            report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  %4.2f of dense fp32  (block linears on "
                            + "Int4MatVec; logits within %.1e of max |logit| of the model as loaded)",
                    "decode, int4 g128 on the kernel", TOKENS / seconds[2], seconds[0] / seconds[2],
                    logitDifference(loaded, kernel)));
            linears(report, dense, packed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Folders.deleteRecursively(dir);
        }
    }

    /** Each block linear of a model quantized by RTN int4 g128 with bf16 scales: packed, and dequantised. */
    private record Packed(Map<String, Int4MatVec.Matrix> int4, Map<String, float[]> dequantised) {

        static Packed of(Decoder dense) {
            QuantizationScheme scheme = new QuantizationScheme(4, GROUP, true, DType.BF16);
            Map<String, Int4MatVec.Matrix> int4 = new HashMap<>();
            Map<String, float[]> dequantised = new HashMap<>();
            for (Linear l : blockLinears(dense)) {
                QuantizedMatrix m = RtnQuantization.quantize(l.weight(), l.out(), l.in(), scheme);
                int[] codes = new int[m.codes().length];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = m.codes()[i];
                }
                int4.put(l.name(), new Int4MatVec.Matrix(l.out(), l.in(), PackedInt32.packRows(codes, l.out(), l.in(), 4),
                        m.scales(), GROUP));
                dequantised.put(l.name(), m.dequantize());
            }
            return new Packed(int4, dequantised);
        }

        /** The model these weights make, decoding on the packed codes (prefill on the dequantised weights). */
        Decoder decoder(Decoder dense) {
            return dense.withLinears(l -> new Linear(l.name(), l.out(), l.in(), dequantised.get(l.name()), l.bias())
                    .withInt4(int4.get(l.name())));
        }
    }

    /** The block linears of one decode step on their own: the fp32 matrix-vector product against the int4 one. */
    private static void linears(Report report, Decoder dense, Packed packed) {
        List<Linear> linears = blockLinears(dense);
        long fp32Bytes = 0;
        long int4Bytes = 0;
        SplittableRandom random = new SplittableRandom(3);
        List<float[]> inputs = new ArrayList<>();
        List<float[]> fp32Out = new ArrayList<>();
        List<float[]> int4Out = new ArrayList<>();
        for (Linear l : linears) {
            fp32Bytes += 4L * l.out() * l.in();
            int4Bytes += (long) l.out() * l.in() / 2 + 2L * packed.int4().get(l.name()).scales().length; // bf16 scales
            inputs.add(randomVector(random, l.in()));
            fp32Out.add(new float[l.out()]);
            int4Out.add(new float[l.out()]);
        }
        double[] seconds = alternating(List.of(timed(() -> {
            for (int i = 0; i < linears.size(); i++) {
                Linear l = linears.get(i);
                Gemm.gemm(false, true, 1, l.out(), l.in(), inputs.get(i), 0, l.in(), packed.dequantised().get(l.name()), 0,
                        l.in(), fp32Out.get(i), 0, l.out(), false);
            }
        }), timed(() -> {
            for (int i = 0; i < linears.size(); i++) {
                Int4MatVec.multiply(packed.int4().get(linears.get(i).name()), inputs.get(i), 0, int4Out.get(i), 0);
            }
        })), 4.0);
        double worst = 0;
        for (int i = 0; i < linears.size(); i++) {
            worst = Math.max(worst, relativeDifference(fp32Out.get(i), int4Out.get(i)));
        }
        report.line(String.format(Locale.ROOT, "%-40s %8.2f ms per token  %6.1f GB/s  (%.0f MB of weights read)",
                "block linears, fp32 matrix-vector", seconds[0] * 1e3, fp32Bytes / seconds[0] / 1e9, fp32Bytes / 1e6));
        report.line(String.format(Locale.ROOT, "%-40s %8.2f ms per token  %6.1f GB/s  (%.0f MB read: codes + bf16 "
                        + "scales; %.2fx the fp32 speed; max |int4 - fp32| %.1e of max |y|; a bf16 kernel would read "
                        + "%.0f MB)", "block linears, int4 kernel", seconds[1] * 1e3, int4Bytes / seconds[1] / 1e9,
                int4Bytes / 1e6, seconds[0] / seconds[1], worst, fp32Bytes / 2 / 1e6));
    }

    private static List<Linear> blockLinears(Decoder decoder) {
        List<Linear> linears = new ArrayList<>();
        decoder.blocks().forEach(b -> linears.addAll(b.linears()));
        return linears;
    }

    /** The largest difference between the two models' logits over one decode, relative to the largest logit. */
    private static double logitDifference(Decoder a, Decoder b) {
        int[] prompt = new SplittableRandom(7).ints(PROMPT, 0, VOCAB).toArray();
        KvCache cacheA = a.newCache(PROMPT + 1);
        KvCache cacheB = b.newCache(PROMPT + 1);
        ForwardState state = ForwardState.forInference();
        a.lastLogits(Batch.continuing(List.of(prompt), List.of(cacheA)), state);
        b.lastLogits(Batch.continuing(List.of(prompt), List.of(cacheB)), state);
        float[] la = a.lastLogits(Batch.continuing(List.of(new int[] {5}), List.of(cacheA)), state).getFirst().clone();
        float[] lb = b.lastLogits(Batch.continuing(List.of(new int[] {5}), List.of(cacheB)), state).getFirst();
        return relativeDifference(la, lb);
    }

    private static double relativeDifference(float[] a, float[] b) {
        double norm = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            norm = Math.max(norm, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return diff / norm;
    }

    private static float[] randomVector(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    /**
     * The best seconds of each work (each returns the seconds it measured), run in turn (two warm-ups each, then for
     * about {@code budgetSeconds}), so that a neighbour's burst on the shared machine falls on all alike.
     */
    private static double[] alternating(List<DoubleSupplier> works, double budgetSeconds) {
        for (int i = 0; i < 2; i++) {
            works.forEach(DoubleSupplier::getAsDouble);
        }
        double[] best = new double[works.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        long start = System.nanoTime();
        int runs = 0;
        while (runs < 3 || System.nanoTime() - start < budgetSeconds * 1e9) {
            for (int i = 0; i < works.size(); i++) {
                best[i] = Math.min(best[i], works.get(i).getAsDouble());
            }
            runs++;
        }
        return best;
    }

    private static DoubleSupplier timed(Runnable work) {
        return () -> {
            long start = System.nanoTime();
            work.run();
            return (System.nanoTime() - start) / 1e9;
        };
    }

    /** {@link #TOKENS} tokens decoded one at a time after a {@link #PROMPT}-token prompt (prefill not timed). */
    private static double decode(Decoder decoder) {
        int[] prompt = new SplittableRandom(7).ints(PROMPT, 0, VOCAB).toArray();
        int[] next = new SplittableRandom(8).ints(TOKENS, 0, VOCAB).toArray();
        ForwardState state = ForwardState.forInference();
        KvCache cache = decoder.newCache(PROMPT + TOKENS);
        decoder.lastLogits(Batch.continuing(List.of(prompt), List.of(cache)), state);
        long start = System.nanoTime();
        for (int token : next) {
            decoder.lastLogits(Batch.continuing(List.of(new int[] {token}), List.of(cache)), state);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static long folderBytes(Path folder) {
        try (var files = Files.list(folder)) {
            long bytes = 0;
            for (Path f : files.toList()) {
                bytes += Files.size(f);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
