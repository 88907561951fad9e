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
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Decode (one token at a time after a 16-token prompt, KV cache, last logits) of the ~110M-parameter Llama of
 * {@link PrefillBench}, stored as BF16: the dense model, and the same model quantized by RTN to int4, group 128,
 * symmetric, written pack-quantized and loaded as the engine runs it, which dequantises on load (so its decode is
 * the fp32 decode: the line shows that it is). Then the block linears of one decode step on their own: the engine's
 * fp32 matrix-vector product against {@link Int4MatVec}, which reads the packed codes, with the bytes of weights each
 * reads per token and the largest difference between the two products (the int4 kernel against the dequantised
 * weights multiplied in fp32). The last line estimates decode with the kernel in place of the fp32 block linears
 * (the engine does not run it in decode yet). Ratios are to the dense fp32 decode of the same run.
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
        Decoder dense = RandomLlama.load(config);
        Path dir;
        try {
            dir = Files.createTempDirectory("whittle-decode-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path source = ModelFolderWriter.to(dir.resolve("bf16")).config(dense.config())
                    .write(DecoderTensors.of(dense, DType.BF16));
            dense = DecoderLoader.load(source, Progress.NONE); // the weights as bf16 holds them
            QuantizeParameters rtn = new QuantizeParameters.Rtn(4, GROUP, true, null, null, null);
            Path quantized = Quantizer.quantize(source, dir.resolve("int4"), rtn, (CalibrationWindows) null,
                    Progress.NONE).model();
            Decoder loaded = DecoderLoader.load(quantized, Progress.NONE);
            Decoder denseModel = dense;
            double[] seconds = alternating(() -> decode(denseModel), () -> decode(loaded), 8.0);
            double denseSeconds = seconds[0];
            report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  1.00 of dense fp32  (%.1f ms per token, "
                            + "%.0fM parameters, %d tokens after a %d-token prompt)", "decode, dense (bf16 file, fp32 in "
                            + "memory)", TOKENS / denseSeconds, denseSeconds / TOKENS * 1e3, dense.parameterCount() / 1e6,
                    TOKENS, PROMPT));
            report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  %4.2f of dense fp32  (dequantised on load: "
                            + "fp32 weights in memory, the same work; files %.0f MB against %.0f MB)",
                    "decode, int4 g128 as loaded", TOKENS / seconds[1], denseSeconds / seconds[1],
                    folderBytes(quantized) / 1e6, folderBytes(source) / 1e6));
            kernels(report, dense, denseSeconds / TOKENS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Folders.deleteRecursively(dir);
        }
    }

    /** The block linears of one decode step, fp32 against int4 packed, and the decode they would give. */
    private static void kernels(Report report, Decoder dense, double denseSeconds) {
        QuantizationScheme scheme = new QuantizationScheme(4, GROUP, true, DType.BF16);
        List<Linear> linears = new ArrayList<>();
        List<int[]> packed = new ArrayList<>();
        List<float[]> scales = new ArrayList<>();
        List<float[]> dequantised = new ArrayList<>();
        long fp32Bytes = 0;
        long int4Bytes = 0;
        for (var block : dense.blocks()) {
            for (Linear l : block.linears()) {
                QuantizedMatrix m = RtnQuantization.quantize(l.weight(), l.out(), l.in(), scheme);
                int[] codes = new int[m.codes().length];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = m.codes()[i];
                }
                linears.add(l);
                packed.add(PackedInt32.packRows(codes, l.out(), l.in(), 4));
                scales.add(m.scales());
                dequantised.add(m.dequantize());
                fp32Bytes += 4L * l.out() * l.in();
                int4Bytes += (long) l.out() * l.in() / 2 + 2L * m.scales().length; // codes and bf16 scales
            }
        }
        SplittableRandom random = new SplittableRandom(3);
        List<float[]> inputs = new ArrayList<>();
        List<float[]> fp32Out = new ArrayList<>();
        List<float[]> int4Out = new ArrayList<>();
        for (Linear l : linears) {
            inputs.add(randomVector(random, l.in()));
            fp32Out.add(new float[l.out()]);
            int4Out.add(new float[l.out()]);
        }
        double[] seconds = alternating(timed(() -> {
            for (int i = 0; i < linears.size(); i++) {
                Linear l = linears.get(i);
                Gemm.gemm(false, true, 1, l.out(), l.in(), inputs.get(i), 0, l.in(), dequantised.get(i), 0, l.in(),
                        fp32Out.get(i), 0, l.out(), false);
            }
        }), timed(() -> {
            for (int i = 0; i < linears.size(); i++) {
                Linear l = linears.get(i);
                Int4MatVec.multiply(l.out(), l.in(), packed.get(i), scales.get(i), GROUP, inputs.get(i), int4Out.get(i));
            }
        }), 4.0);
        double fp32Seconds = seconds[0];
        double int4Seconds = seconds[1];
        double worst = 0;
        for (int i = 0; i < linears.size(); i++) {
            float[] a = fp32Out.get(i);
            float[] b = int4Out.get(i);
            double norm = 0;
            double diff = 0;
            for (int r = 0; r < a.length; r++) {
                norm = Math.max(norm, Math.abs(a[r]));
                diff = Math.max(diff, Math.abs(a[r] - b[r]));
            }
            worst = Math.max(worst, diff / norm);
        }
        report.line(String.format(Locale.ROOT, "%-40s %8.2f ms per token  %6.1f GB/s  (%.0f MB of weights read)",
                "block linears, fp32 matrix-vector", fp32Seconds * 1e3, fp32Bytes / fp32Seconds / 1e9, fp32Bytes / 1e6));
        report.line(String.format(Locale.ROOT, "%-40s %8.2f ms per token  %6.1f GB/s  (%.0f MB read: codes + bf16 "
                        + "scales; %.2fx the fp32 speed; max |int4 - fp32| %.1e of max |y|)", "block linears, int4 kernel",
                int4Seconds * 1e3, int4Bytes / int4Seconds / 1e9, int4Bytes / 1e6, fp32Seconds / int4Seconds, worst));
        double estimated = denseSeconds - fp32Seconds + int4Seconds;
        report.line(String.format(Locale.ROOT, "%-40s %8.1f tokens/s  %4.2f of dense fp32  (estimate: dense decode with "
                        + "the int4 kernel's time in place of the fp32 block linears'; a bf16 kernel would read %.0f MB)",
                "decode, int4 kernel (estimated)", 1 / estimated, denseSeconds / estimated, fp32Bytes / 2 / 1e6));
    }

    private static float[] randomVector(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    /**
     * The best seconds of each of two works (each returns the seconds it measured), run in turn (two warm-ups each,
     * then for about {@code budgetSeconds}), so that a neighbour's burst on the shared machine falls on both alike.
     */
    private static double[] alternating(DoubleSupplier a, DoubleSupplier b, double budgetSeconds) {
        for (int i = 0; i < 2; i++) {
            a.getAsDouble();
            b.getAsDouble();
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        long start = System.nanoTime();
        int runs = 0;
        while (runs < 3 || System.nanoTime() - start < budgetSeconds * 1e9) {
            best[0] = Math.min(best[0], a.getAsDouble());
            best[1] = Math.min(best[1], b.getAsDouble());
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
