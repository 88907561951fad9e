package dev.whittle.engine.quant;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.BlockSequence;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.CalibrationWindows;
import dev.whittle.engine.prune.InputStatistics;
import dev.whittle.engine.prune.PruneStatistics;
import dev.whittle.engine.prune.Pruner;
import dev.whittle.engine.prune.StatisticsHooks;
import dev.whittle.engine.prune.TensorSelection;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Quantizes a Hugging Face model folder into a new one. RTN rounds every chosen matrix alone. GPTQ walks the
 * calibration samples block by block as PRUNE's SparseGPT does ({@link BlockSequence}: one block's inputs in memory):
 * gather {@code X^T X} of the block's chosen linears as it is, quantize them, then run the quantized block to make
 * the next block's inputs. Progress goes per block ({@code quantize}); cancellation is honoured between blocks and
 * samples. The output is written atomically as {@code pack-quantized} (see {@link CompressedTensors}) or with the
 * dequantised weights ({@code fake}), scales in the input's dtype.
 */
public final class Quantizer {

    /** The written model and its statistics. */
    public record Result(Path model, QuantizeStatistics statistics) {
    }

    private final CalibrationSampler sampler;

    public Quantizer(CalibrationSampler sampler) {
        this.sampler = sampler;
    }

    /**
     * Quantizes {@code source} into the new folder {@code target} as {@code parameters} say, GPTQ drawing its
     * calibration windows from {@code calibration}. The parameters are trusted: check them where they come in.
     */
    public Result quantize(Path source, Path target, QuantizeParameters parameters, CalibrationSource calibration,
                           Progress progress) throws IOException {
        return run(source, target, parameters, calibration, null, progress);
    }

    /** As {@link #quantize}, on calibration windows drawn already (benchmarks, tests). */
    public static Result quantize(Path source, Path target, QuantizeParameters parameters, CalibrationWindows windows,
                                  Progress progress) throws IOException {
        return new Quantizer(null).run(source, target, parameters, null, windows, progress);
    }

    private Result run(Path source, Path target, QuantizeParameters method, CalibrationSource calibration,
                       CalibrationWindows windows, Progress progress) throws IOException {
        ModelConfig config = ModelConfig.load(source);
        Decoder decoder = DecoderLoader.load(source, progress);
        DType dtype = Pruner.storedDtype(source, decoder);
        QuantizationScheme scheme = method.scheme(dtype);
        Set<String> chosen = method.tensors().select(TensorSelection.candidates(config));
        if (method instanceof QuantizeParameters.Gptq gptq && windows == null) {
            try (Tokenizer tokenizer = Tokenizer.load(source)) {
                windows = sampler.sample(tokenizer, calibration, gptq.calibration(), CalibrationSampler.context(config));
            }
        }
        if (!(method instanceof QuantizeParameters.Gptq)) {
            windows = null;
        }
        List<String> warnings = new ArrayList<>();
        Map<String, QuantizedMatrix> quantized = new LinkedHashMap<>();
        List<QuantizeStatistics.QuantizedLayer> layers = new ArrayList<>();
        quantizeBlocks(decoder, method, scheme, chosen, windows, quantized, layers, warnings, progress);
        progress.checkCancelled();

        List<OutputTensor> tensors = DecoderTensors.of(decoder, dtype);
        ModelConfig outConfig = config;
        if (method.format() == QuantizeParameters.Format.PACK_QUANTIZED) {
            tensors = packed(tensors, quantized);
            Map<String, Object> quantization = new LinkedHashMap<>(CompressedTensors.quantizationConfig(scheme,
                    method instanceof QuantizeParameters.Gptq g && g.actOrder(), ignored(decoder, chosen)));
            // a pruned model quantized keeps the record of its sparsity, as compressed-tensors composes the two
            var earlier = config.get("quantization_config");
            if (earlier != null && earlier.get("sparsity_config") != null) {
                quantization.put("sparsity_config", earlier.get("sparsity_config"));
            }
            outConfig = config.with("quantization_config", quantization);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("whittle.quantize.method", method.name());
        if (windows != null) {
            metadata.put("whittle.quantize.calibration", windows.fingerprint());
        }
        Path written = ModelFolderWriter.to(target).config(outConfig).copyFilesFrom(source).metadata(metadata)
                .progress(progress).write(tensors);
        return new Result(written, statistics(method, scheme, quantized, layers, written, dtype, windows, warnings));
    }

    private static void quantizeBlocks(Decoder decoder, QuantizeParameters method, QuantizationScheme scheme,
                                       Set<String> chosen, CalibrationWindows windows,
                                       Map<String, QuantizedMatrix> quantized, List<QuantizeStatistics.QuantizedLayer> layers,
                                       List<String> warnings, Progress progress) {
        List<DecoderBlock> blocks = decoder.blocks();
        int last = -1;
        for (int i = 0; i < blocks.size(); i++) {
            if (!chosenIn(blocks.get(i), chosen).isEmpty()) {
                last = i;
            }
        }
        BlockSequence sequence = windows != null ? new BlockSequence(decoder, windows) : null;
        for (int i = 0; i <= last; i++) {
            progress.checkCancelled();
            List<Linear> linears = chosenIn(blocks.get(i), chosen);
            switch (method) {
                case QuantizeParameters.Rtn r -> linears.forEach(l -> rtn(l, scheme, quantized, layers));
                case QuantizeParameters.Gptq g -> gptqBlock(sequence, i, blocks.get(i), linears, g, scheme, quantized,
                        layers, warnings, progress);
            }
            if (sequence != null && i < last) {
                sequence.advance(i, progress);
            }
            progress.report("quantize", i + 1, last + 1, "block " + i + ": " + linears.size() + " matrices quantized");
        }
    }

    private static void rtn(Linear l, QuantizationScheme scheme, Map<String, QuantizedMatrix> quantized,
                            List<QuantizeStatistics.QuantizedLayer> layers) {
        QuantizedMatrix m = RtnQuantization.quantize(l.weight(), l.out(), l.in(), scheme);
        float[] q = m.dequantize();
        layers.add(new QuantizeStatistics.QuantizedLayer(l.name() + ".weight", l.out(), l.in(),
                ReconstructionError.ofWeights(l.weight(), q), null));
        System.arraycopy(q, 0, l.weight(), 0, q.length);
        quantized.put(l.name(), m);
    }

    private static void gptqBlock(BlockSequence sequence, int i, DecoderBlock block, List<Linear> linears,
                                  QuantizeParameters.Gptq g, QuantizationScheme scheme,
                                  Map<String, QuantizedMatrix> quantized, List<QuantizeStatistics.QuantizedLayer> layers,
                                  List<String> warnings, Progress progress) {
        Set<String> names = new HashSet<>();
        linears.forEach(l -> names.add(l.name()));
        StatisticsHooks<InputStatistics.Gram> hooks = new StatisticsHooks<>(block, names, InputStatistics.Gram::new);
        sequence.observe(i, hooks, hooks::startSample, progress);
        Map<InputStatistics.Gram, float[]> hessians = new IdentityHashMap<>();
        Map<InputStatistics.Gram, GptqQuantization.Prepared> prepared = new IdentityHashMap<>();
        for (Linear l : linears) {
            InputStatistics.Gram gram = hooks.of(l.name());
            if (gram.tokens() == 0) {
                warnings.add(l.name() + ".weight: no calibration token reached it (an expert no token was routed "
                        + "to); quantized by rounding to nearest instead");
                rtn(l, scheme, quantized, layers);
                continue;
            }
            float[] h = hessians.computeIfAbsent(gram, InputStatistics.Gram::hessian);
            GptqQuantization.Prepared p = prepared.computeIfAbsent(gram,
                    x -> GptqQuantization.prepare(h, x.cols(), g.dampening(), g.actOrder()));
            float[] original = l.weight().clone();
            GptqQuantization.Result result = GptqQuantization.quantize(l.weight(), l.out(), l.in(), p, scheme,
                    g.blockSize());
            layers.add(new QuantizeStatistics.QuantizedLayer(l.name() + ".weight", l.out(), l.in(),
                    ReconstructionError.ofWeights(original, l.weight()),
                    ReconstructionError.ofOutputs(original, l.weight(), l.out(), l.in(), h)));
            quantized.put(l.name(), result.matrix());
        }
        for (var e : prepared.entrySet()) {
            var factor = e.getValue().factor();
            String inputOf = linears.stream().filter(l -> hooks.of(l.name()) == e.getKey())
                    .map(l -> l.name() + ".weight").collect(Collectors.joining(", "));
            if (factor.retries() > 0) {
                warnings.add(String.format(Locale.ROOT, "%s: the Hessian was not positive definite with dampening "
                        + "%s; factorised with %s x mean(diag H)", inputOf, g.dampening(), factor.dampening()));
            }
            if (factor.deadInputs() > 0) {
                warnings.add(inputOf + ": " + factor.deadInputs() + " inputs were zero on every calibration token; "
                        + "their weight columns were zeroed");
            }
        }
    }

    /** The tensors with each quantized linear's {@code .weight} replaced by its packed form. */
    private static List<OutputTensor> packed(List<OutputTensor> tensors, Map<String, QuantizedMatrix> quantized) {
        List<OutputTensor> out = new ArrayList<>();
        for (OutputTensor t : tensors) {
            String name = t.name();
            QuantizedMatrix m = name.endsWith(".weight")
                    ? quantized.get(name.substring(0, name.length() - ".weight".length())) : null;
            if (m == null) {
                out.add(t);
            } else {
                out.addAll(CompressedTensors.tensors(name.substring(0, name.length() - ".weight".length()), m));
            }
        }
        return out;
    }

    /** The linear modules left as they are: the LM head and the block linears not chosen (routers included). */
    private static List<String> ignored(Decoder decoder, Set<String> chosen) {
        List<String> ignore = new ArrayList<>();
        for (Linear l : decoder.linears()) {
            if (!chosen.contains(l.name() + ".weight")) {
                ignore.add(l.name());
            }
        }
        if (!ignore.contains("lm_head")) {
            ignore.add("lm_head");
        }
        return ignore;
    }

    private static List<Linear> chosenIn(DecoderBlock block, Set<String> chosen) {
        return block.linears().stream().filter(l -> chosen.contains(l.name() + ".weight")).toList();
    }

    private static QuantizeStatistics statistics(QuantizeParameters method, QuantizationScheme scheme,
                                                 Map<String, QuantizedMatrix> quantized,
                                                 List<QuantizeStatistics.QuantizedLayer> layers, Path written, DType dtype,
                                                 CalibrationWindows windows, List<String> warnings) throws IOException {
        long weights = 0;
        long bits = 0;
        int per = PackedInt32.perWord(scheme.bits());
        for (QuantizedMatrix m : quantized.values()) {
            weights += (long) m.rows() * m.cols();
            long groups = (long) m.rows() * m.groups();
            bits += 32L * m.rows() * ((m.cols() + per - 1) / per) + groups * 8L * dtype.byteSize();
            if (!scheme.symmetric()) {
                bits += 32L * ((m.rows() + per - 1) / per) * m.groups();
            }
        }
        Double meanOutput = layers.stream().allMatch(l -> l.outputError() != null) && !layers.isEmpty()
                ? layers.stream().mapToDouble(QuantizeStatistics.QuantizedLayer::outputError).average().orElse(0) : null;
        long fileBytes = 0;
        long weightBytes = 0;
        try (Stream<Path> files = Files.list(written)) {
            for (Path f : files.toList()) {
                long size = Files.size(f);
                fileBytes += size;
                if (f.getFileName().toString().endsWith(".safetensors")) {
                    weightBytes += size;
                }
            }
        }
        return new QuantizeStatistics(method.name(), method, List.copyOf(layers), weights,
                weights == 0 ? 0 : (double) bits / weights, meanOutput, fileBytes, weightBytes, dtype.torchName(),
                PruneStatistics.CalibrationSummary.of(windows), List.copyOf(warnings));
    }
}
