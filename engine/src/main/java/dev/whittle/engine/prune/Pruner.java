package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.experts.ExpertMerging;
import dev.whittle.engine.prune.experts.ExpertRemoval;
import dev.whittle.engine.prune.experts.ExpertScoring;
import dev.whittle.engine.prune.width.WidthPruning;
import dev.whittle.engine.prune.width.WidthStatistics;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prunes a Hugging Face model folder into a new one: loads the model, draws the calibration windows, runs the
 * method (weight pruning block by block over the calibration samples, block scoring and removal, width pruning of
 * MLP channels and attention heads block by block, or expert scoring and removal or expert merging on a
 * Mixture-of-Experts model), writes the
 * result atomically in the same layout (tokenizer and companion files copied, config.json rewritten where the
 * shape or dtype changed) and measures it. Progress goes per block ({@code prune}: blocks done of blocks to
 * visit), and cancellation is honoured between blocks and samples; a cancelled or failed run leaves no output.
 */
public final class Pruner {

    /** The written model, its statistics, and where the time went. */
    public record Result(Path model, PruneStatistics statistics, PhaseTimes times) {
    }

    private final CalibrationSampler sampler;

    /** A pruner drawing calibration windows with {@code sampler}. */
    public Pruner(CalibrationSampler sampler) {
        this.sampler = sampler;
    }

    /**
     * Prunes {@code source} into the new folder {@code target} (which must not exist) as {@code parameters} say,
     * drawing calibration windows from {@code calibration} (where the parameters' calibration set resolved to; unused
     * by magnitude pruning). The parameters are trusted: check them, and {@link PruneParameters#problems(ModelConfig)}
     * on this model, where they come in.
     */
    public Result prune(Path source, Path target, PruneParameters parameters, CalibrationSource calibration,
                        Progress progress) throws IOException {
        return run(source, target, parameters, calibration, null, progress);
    }

    /** As {@link #prune}, on calibration windows drawn already (benchmarks, tests, a resumed job). */
    public static Result prune(Path source, Path target, PruneParameters parameters, CalibrationWindows windows,
                               Progress progress) throws IOException {
        return new Pruner(null).run(source, target, parameters, null, windows, progress);
    }

    private Result run(Path source, Path target, PruneParameters method, CalibrationSource calibration,
                       CalibrationWindows windows, Progress progress) throws IOException {
        ModelConfig config = ModelConfig.load(source);
        PhaseTimes.Clock clock = new PhaseTimes.Clock();

        long start = System.nanoTime();
        Decoder decoder = DecoderLoader.load(source, progress);
        DType dtype = method.dtype() != null ? method.dtype().stored() : storedDtype(source, decoder);
        clock.load += System.nanoTime() - start;
        long sourceMacs = PruneStatistics.denseMacsPerToken(decoder);

        if (method instanceof PruneParameters.Calibrated calibrated && windows == null) {
            start = System.nanoTime();
            try (Tokenizer tokenizer = Tokenizer.load(source)) {
                windows = sampler.sample(tokenizer, calibration, calibrated.calibration(),
                        CalibrationSampler.context(config));
            }
            clock.sample += System.nanoTime() - start;
        }
        if (!(method instanceof PruneParameters.Calibrated)) {
            windows = null;
        }

        List<String> warnings = new ArrayList<>();
        Decoder result = decoder;
        Set<String> pruned = Set.of();
        BlockScoring.Result scores = null;
        ExpertScoring.Result expertScores = null;
        ExpertMerging.Result expertMerges = null;
        WidthStatistics width = null;
        ModelConfig outConfig = config;
        double[] blockTargets = null;
        switch (method) {
            case PruneParameters.WeightPruning weights -> {
                pruned = weights.tensors().select(TensorSelection.candidates(config));
                blockTargets = pruneWeights(decoder, weights, pruned, windows, clock, warnings, progress);
                outConfig = config.with("quantization_config",
                        SparsityMetadata.quantizationConfig(decoder, pruned, weights.nm()));
            }
            case PruneParameters.BlockRemoval removal -> {
                start = System.nanoTime();
                scores = BlockScoring.score(decoder, windows, removal.blocks(), removal.metric(), removal.tokens(), progress);
                clock.forward += System.nanoTime() - start;
                result = decoder.withoutBlocks(scores.removed());
                outConfig = RemovedBlocksConfig.rewrite(config, scores.removed());
            }
            case PruneParameters.Width w -> {
                start = System.nanoTime();
                WidthPruning.Result narrower = WidthPruning.prune(decoder, windows,
                        w.removedChannelsOf(config.intermediateSize()), w.removedGroupsOf(config.numKeyValueHeads()),
                        progress);
                clock.forward += System.nanoTime() - start;
                result = narrower.decoder();
                width = narrower.statistics();
                outConfig = result.config();
            }
            case PruneParameters.ExpertPruning experts -> {
                start = System.nanoTime();
                expertScores = ExpertScoring.score(decoder, windows.windows(),
                        experts.removedOf(config.moe().numExperts()), metric(experts), progress);
                clock.forward += System.nanoTime() - start;
                result = ExpertRemoval.keep(decoder, expertScores.keptByBlock());
                outConfig = result.config();
            }
            case PruneParameters.MergeExperts merge -> {
                start = System.nanoTime();
                expertMerges = ExpertMerging.group(decoder, windows.windows(),
                        merge.removedOf(config.moe().numExperts()), progress);
                clock.forward += System.nanoTime() - start;
                start = System.nanoTime();
                result = ExpertMerging.merge(decoder, expertMerges);
                clock.solve += System.nanoTime() - start;
                outConfig = result.config();
            }
        }
        progress.checkCancelled();

        start = System.nanoTime();
        if (dtype != DType.fromTorchName(config.torchDtype())) {
            outConfig = outConfig.with("torch_dtype", dtype.torchName());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("whittle.prune.method", method.name());
        if (windows != null) {
            metadata.put("whittle.prune.calibration", windows.fingerprint());
        }
        Path written = ModelFolderWriter.to(target).config(outConfig).copyFilesFrom(source).metadata(metadata)
                .progress(progress).write(DecoderTensors.of(result, dtype));
        clock.write += System.nanoTime() - start;

        PruneStatistics statistics = PruneStatistics.measure(method, result, pruned, sourceMacs, written, dtype,
                windows, scores, expertScores, expertMerges, width, blockTargets, warnings);
        return new Result(written, statistics, clock.times());
    }

    /**
     * Magnitude prunes every chosen matrix directly. Wanda and SparseGPT walk the calibration samples block by
     * block: gather the chosen linears' input statistics on the block as it is, prune them, then run the pruned
     * block to make the next block's inputs; blocks after the last chosen one are never run.
     */
    private static double[] pruneWeights(Decoder decoder, PruneParameters.WeightPruning method, Set<String> chosen,
                                         CalibrationWindows windows, PhaseTimes.Clock clock, List<String> warnings,
                                         Progress progress) {
        List<DecoderBlock> blocks = decoder.blocks();
        if (method instanceof PruneParameters.Magnitude m && m.scope() == MagnitudePruning.Scope.GLOBAL) {
            long start = System.nanoTime();
            List<float[]> weights = decoder.linears().stream().filter(l -> chosen.contains(l.name() + ".weight"))
                    .map(Linear::weight).toList();
            MagnitudePruning.pruneGlobal(weights, m.sparsity());
            clock.solve += System.nanoTime() - start;
            progress.report("prune", blocks.size(), blocks.size(), "global magnitude threshold");
            return null;
        }
        int last = -1;
        for (int i = 0; i < blocks.size(); i++) {
            if (!chosenIn(blocks.get(i), chosen).isEmpty()) {
                last = i;
            }
        }
        double[] targets = method instanceof PruneParameters.Layerwise l && l.owl()
                ? owlTargets(decoder, windows, chosen, l, last, clock, progress) : null;
        BlockSequence sequence = method instanceof PruneParameters.Calibrated ? new BlockSequence(decoder, windows) : null;
        for (int i = 0; i <= last; i++) {
            double sparsity = targets == null ? method.sparsity() : targets[i];
            progress.checkCancelled();
            DecoderBlock block = blocks.get(i);
            List<Linear> linears = chosenIn(block, chosen);
            if (!linears.isEmpty()) {
                switch (method) {
                    case PruneParameters.Magnitude m -> {
                        long start = System.nanoTime();
                        for (Linear l : linears) {
                            MagnitudePruning.prune(l.weight(), l.out(), l.in(), m.sparsity(), m.nm());
                        }
                        clock.solve += System.nanoTime() - start;
                    }
                    case PruneParameters.Wanda w -> {
                        StatisticsHooks<InputStatistics.FeatureNorms> hooks = observe(sequence, i, block, linears,
                                InputStatistics.FeatureNorms::new, clock, progress);
                        long start = System.nanoTime();
                        for (Linear l : linears) {
                            if (hooks.of(l.name()).tokens() == 0) {
                                magnitudeInstead(l, w, warnings);
                                continue;
                            }
                            WandaPruning.prune(l.weight(), l.out(), l.in(), hooks.of(l.name()).norms(), sparsity, w.nm());
                        }
                        clock.solve += System.nanoTime() - start;
                    }
                    case PruneParameters.SparseGpt s -> {
                        StatisticsHooks<InputStatistics.Gram> hooks = observe(sequence, i, block, linears,
                                InputStatistics.Gram::new, clock, progress);
                        long start = System.nanoTime();
                        Map<InputStatistics.Gram, SparseGptPruning.Factor> factors = new java.util.IdentityHashMap<>();
                        for (Linear l : linears) {
                            if (hooks.of(l.name()).tokens() == 0) {
                                magnitudeInstead(l, s, warnings);
                                continue;
                            }
                            SparseGptPruning.Factor factor = factors.computeIfAbsent(hooks.of(l.name()),
                                    gram -> SparseGptPruning.factor(gram.hessian(), gram.cols(), s.dampening()));
                            SparseGptPruning.prune(l.weight(), l.out(), l.in(), factor, sparsity, s.nm(), s.blockSize());
                        }
                        for (var e : factors.entrySet()) {
                            SparseGptPruning.Factor factor = e.getValue();
                            String inputOf = linears.stream().filter(l -> hooks.of(l.name()) == e.getKey())
                                    .map(l -> l.name() + ".weight").collect(java.util.stream.Collectors.joining(", "));
                            if (factor.retries() > 0) {
                                warnings.add(String.format(Locale.ROOT, "%s: the Hessian was not positive definite with "
                                        + "dampening %s; factorised with %s x mean(diag H)", inputOf, s.dampening(),
                                        factor.dampening()));
                            }
                            if (factor.deadInputs() > 0) {
                                warnings.add(inputOf + ": " + factor.deadInputs() + " inputs were zero on every "
                                        + "calibration token; their weight columns were zeroed");
                            }
                        }
                        clock.solve += System.nanoTime() - start;
                    }
                }
            }
            if (sequence != null && i < last) {
                long before = sequence.forwardNanos();
                sequence.advance(i, progress);
                clock.forward += sequence.forwardNanos() - before;
            }
            progress.report("prune", i + 1, last + 1, "block " + i + ": " + linears.size() + " matrices pruned");
        }
        return targets;
    }

    /**
     * OWL's sparsity for each block up to {@code last} (NaN where nothing is chosen), from the outlier ratios of the
     * dense model: one walk of the calibration samples gathering the chosen linears' input norms, before any pruning.
     */
    private static double[] owlTargets(Decoder decoder, CalibrationWindows windows, Set<String> chosen,
                                       PruneParameters.Layerwise method, int last, PhaseTimes.Clock clock,
                                       Progress progress) {
        List<DecoderBlock> blocks = decoder.blocks();
        BlockSequence sequence = new BlockSequence(decoder, windows);
        List<Integer> profiled = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            progress.checkCancelled();
            List<Linear> linears = chosenIn(blocks.get(i), chosen);
            if (!linears.isEmpty()) {
                StatisticsHooks<InputStatistics.FeatureNorms> hooks = observe(sequence, i, blocks.get(i), linears,
                        InputStatistics.FeatureNorms::new, clock, progress);
                ratios.add(OwlProfile.outlierRatio(linears.stream().map(Linear::weight).toList(),
                        linears.stream().map(l -> hooks.of(l.name()).norms()).toList(), method.owlM()));
                profiled.add(i);
            }
            if (i < last) {
                long before = sequence.forwardNanos();
                sequence.advance(i, progress);
                clock.forward += sequence.forwardNanos() - before;
            }
            progress.report("outliers", i + 1, last + 1, null);
        }
        double[] sparsities = OwlProfile.sparsities(ratios.stream().mapToDouble(Double::doubleValue).toArray(),
                method.sparsity(), method.owlLambda());
        double[] targets = new double[blocks.size()];
        java.util.Arrays.fill(targets, Double.NaN);
        for (int k = 0; k < profiled.size(); k++) {
            targets[profiled.get(k)] = sparsities[k];
        }
        return targets;
    }

    /**
     * A linear no calibration token reached (an expert nothing was routed to) has no statistics to be pruned by: its
     * smallest |w| go instead, at the same sparsity or N:M, rather than SparseGPT zeroing every dead input column.
     */
    private static void magnitudeInstead(Linear linear, PruneParameters.WeightPruning method, List<String> warnings) {
        MagnitudePruning.prune(linear.weight(), linear.out(), linear.in(), method.sparsity(), method.nm());
        warnings.add(linear.name() + ".weight: no calibration token reached it (an expert no token was routed to); "
                + "pruned by magnitude instead");
    }

    private static ExpertScoring.Metric metric(PruneParameters.ExpertPruning method) {
        return switch (method) {
            case PruneParameters.Reap r -> ExpertScoring.Metric.REAP;
            case PruneParameters.Frequency f -> ExpertScoring.Metric.FREQUENCY;
            case PruneParameters.Ean e -> ExpertScoring.Metric.EAN;
        };
    }

    /** Runs block {@code i} over the samples with statistics hooks for {@code linears}; returns the hooks. */
    private static <S extends InputStatistics> StatisticsHooks<S> observe(BlockSequence sequence, int i,
            DecoderBlock block, List<Linear> linears, java.util.function.IntFunction<S> factory, PhaseTimes.Clock clock,
            Progress progress) {
        Set<String> names = new java.util.HashSet<>();
        linears.forEach(l -> names.add(l.name()));
        StatisticsHooks<S> hooks = new StatisticsHooks<>(block, names, factory);
        long before = sequence.forwardNanos();
        sequence.observe(i, hooks, hooks::startSample, progress);
        long forward = sequence.forwardNanos() - before;
        clock.statistics += hooks.nanos();
        clock.forward += forward - hooks.nanos();
        return hooks;
    }

    private static List<Linear> chosenIn(DecoderBlock block, Set<String> chosen) {
        return block.linears().stream().filter(l -> chosen.contains(l.name() + ".weight")).toList();
    }

    /** The dtype the source stores its block weights in (its first block's q_proj), else F32. */
    public static DType storedDtype(Path source, Decoder decoder) throws IOException {
        if (decoder.blocks().isEmpty()) {
            return DType.F32;
        }
        String name = decoder.blocks().getFirst().attention().qProj().name() + ".weight";
        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            DType stored = checkpoint.contains(name) ? checkpoint.info(name).dtype() : DType.F32;
            return stored == DType.F16 || stored == DType.BF16 ? stored : DType.F32;
        }
    }
}
