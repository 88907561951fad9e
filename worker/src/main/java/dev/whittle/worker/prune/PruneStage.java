package dev.whittle.worker.prune;

import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.PruneStatistics;
import dev.whittle.engine.prune.Pruner;
import dev.whittle.worker.queue.WorkerProperties;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * PRUNE: magnitude, Wanda or SparseGPT weight pruning (unstructured or N:M), block removal, or on a
 * Mixture-of-Experts model expert removal ranked by REAP, frequency or EAN, by the engine's
 * {@link Pruner}. Its parameters are the engine's {@link PruneParameters}, the one type the API, the worker and the
 * CLI share. The output is a new model folder in the input's layout (registered with the job's lineage once
 * the job succeeds), with {@value #STATISTICS_FILE} beside its weights; the stage's result is the statistics and
 * the time per phase.
 *
 * <p>At submission the parameters are read strictly (the method's own fields only), their Bean Validation bounds
 * checked, then the rules between fields and the calibration dataset against the registry, then, when PRUNE is the
 * recipe's first stage, the rules against the job's model (blocks it has, patterns that match nothing, N:M that does
 * not divide a matrix, expert methods on a dense model or weight methods on a Mixture-of-Experts one, fewer experts
 * left than top-k). The model rules are checked again when the stage starts,
 * before any work, on the model it actually reads (a later stage's input may be an earlier stage's output, and a
 * folder may have changed on disk), and fail the job with the same field-named messages.
 *
 * <p>An interrupted run starts the stage over rather than resuming at the block it reached: resuming would need the
 * calibration activations entering that block (samples x length x hidden floats, gigabytes for a 1B model) and the
 * blocks already pruned to be saved on the way, and because the calibration windows are drawn from a fixed seed the
 * restarted run produces the same model. Nothing partial is registered: the output only becomes a model when the
 * job succeeds.
 */
@Component
public class PruneStage implements StageType<PruneParameters> {

    /** The statistics, as JSON, in the output folder. */
    public static final String STATISTICS_FILE = "prune_statistics.json";

    /** What the stage returns: the statistics of the output model and where the time went. */
    public record Result(PruneStatistics statistics, PhaseTimes times) {
    }

    private final CalibrationDatasets datasets;
    private final CalibrationSampler calibrationSampler;
    private final WorkerProperties settings;

    public PruneStage(CalibrationDatasets datasets, CalibrationSampler calibrationSampler, WorkerProperties settings) {
        this.settings = settings;
        this.datasets = datasets;
        this.calibrationSampler = calibrationSampler;
    }

    @Override
    public String name() {
        return "PRUNE";
    }

    @Override
    public String description() {
        return "Prunes the model: magnitude, wanda or sparsegpt at a sparsity or N:M pattern on the chosen linear "
                + "layers, calibrated block by block; or block-removal of the blocks that change the hidden state least; or "
                + "width pruning (Minitron-style) of the MLP channels and attention head groups of lowest activation norm, "
                + "which writes a smaller dense model; or, "
                + "on a Mixture-of-Experts model, reap, frequency or ean removal of the least salient experts of every "
                + "sparse layer. Writes a new model and returns sparsity, parameters (active per token), MACs per token, "
                + "file size, the expert scores and the widths removed per layer.";
    }

    @Override
    public Class<PruneParameters> parametersType() {
        return PruneParameters.class;
    }

    /** The rules between fields, and the calibration dataset against the registry. */
    @Override
    public List<FieldProblem> validate(PruneParameters p) {
        List<FieldProblem> problems = fieldProblems(p.problems());
        if (p instanceof PruneParameters.Calibrated c) {
            problems.addAll(datasets.problems(c.calibration()));
        }
        return problems;
    }

    @Override
    public List<FieldProblem> validate(PruneParameters p, ModelConfig model) {
        List<FieldProblem> problems = fieldProblems(p.problems(model));
        problems.addAll(memoryProblems(p, model));
        return problems;
    }

    /**
     * A calibration larger than a job may hold, against both fields that size it: refused before it runs, rather
     * than running the worker out of heap (and its other jobs with it).
     */
    private List<FieldProblem> memoryProblems(PruneParameters p, ModelConfig model) {
        if (!(p instanceof PruneParameters.Calibrated c)) {
            return List.of();
        }
        Calibration calibration = c.calibration();
        long estimate = calibration.memoryBytes(model);
        long limit = settings.jobMemoryLimit();
        if (estimate <= limit) {
            return List.of();
        }
        int length = Math.min(calibration.seqlen(), CalibrationSampler.context(model));
        String message = calibration.nsamples() + " windows of " + length + " tokens (seqlen clipped to the model's "
                + "context) need about " + gib(estimate) + " for calibration, more than the " + gib(limit)
                + " a job may use (whittle.worker.max-job-memory); ask for fewer or shorter windows";
        return List.of(new FieldProblem("calibration.nsamples", message), new FieldProblem("calibration.seqlen", message));
    }

    private static String gib(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 8 EiB" : String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    @Override
    public Result execute(PruneParameters p, StageContext context) throws Exception {
        ModelConfig config = ModelConfig.load(context.modelFolder());
        List<PruneProblem> problems = p.problems(config);
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        List<FieldProblem> memory = memoryProblems(p, config);
        if (!memory.isEmpty()) {
            throw new IllegalArgumentException(memory.getFirst().field() + ": " + memory.getFirst().message());
        }
        CalibrationSource calibration = null;
        if (p instanceof PruneParameters.Calibrated c) {
            calibration = datasets.source(c.calibration());
            int window = CalibrationSampler.context(config);
            if (c.calibration().seqlen() > window) {
                context.warning("calibration.seqlen", c.calibration().seqlen() + " is longer than the model's context "
                        + "of " + window + " tokens; calibrating on windows of " + window + " tokens");
            }
        }
        Pruner.Result result = new Pruner(calibrationSampler).prune(context.modelFolder(),
                context.outputFolder(), p, calibration, new PruneProgress(context.progress()));
        result.statistics().warnings().forEach(warning -> context.warning(null, warning));
        Files.writeString(result.model().resolve(STATISTICS_FILE),
                JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(result.statistics()) + "\n");
        return new Result(result.statistics(), result.times());
    }

    /** The engine's problems as the API's field problems. */
    public static List<FieldProblem> fieldProblems(List<PruneProblem> problems) {
        List<FieldProblem> fields = new ArrayList<>();
        problems.forEach(problem -> fields.add(new FieldProblem(problem.field(), problem.message())));
        return fields;
    }
}
