package dev.whittle.worker.prune;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSettings;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneMethod;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.PruneRequest;
import dev.whittle.engine.prune.PruneSpec;
import dev.whittle.engine.prune.PruneStatistics;
import dev.whittle.engine.prune.Pruner;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Positive;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * PRUNE: magnitude, Wanda or SparseGPT weight pruning (unstructured or N:M), or block removal, by the engine's
 * {@link Pruner}. The output is a new model folder in the input's layout (registered with the job's lineage once
 * the job succeeds), with {@value #STATISTICS_FILE} beside its weights; the stage's result is the statistics and
 * the time per phase.
 *
 * <p>At submission the fields are checked on their own (method, sparsity, N:M, the parameters of another method,
 * pattern syntax, the calibration dataset), then, when PRUNE is the recipe's first stage, against the job's model
 * (blocks it has, patterns that match nothing, N:M that does not divide a matrix, a family the engine cannot run).
 * Those model checks are repeated when the stage starts, before any work, on the model it actually reads (a later
 * stage's input may be an earlier stage's output), and fail the job with the same field-named messages.
 *
 * <p>An interrupted run starts the stage over rather than resuming at the block it reached: resuming would need the
 * calibration activations entering that block (samples x length x hidden floats, gigabytes for a 1B model) and the
 * blocks already pruned to be saved on the way, and because the calibration windows are drawn from a fixed seed the
 * restarted run produces the same model. Nothing partial is registered: the output only becomes a model when the
 * job succeeds.
 */
@Component
public class PruneStage implements StageType<PruneStage.Parameters> {

    /** The statistics, as JSON, in the output folder. */
    public static final String STATISTICS_FILE = "prune_statistics.json";

    /**
     * The method and its parameters as {@link PruneSpec} documents them, the calibration set, and the stored dtype
     * of the output ({@code bfloat16}, {@code float16}, {@code float32}; default: the input's).
     */
    public record Parameters(String method, Double sparsity, String nm, String scope, Integer blockSize,
                             Double dampening, Integer blocks, String metric, String tokens, List<String> include,
                             List<String> exclude, @Valid Calibration calibration, String dtype) {

        PruneSpec spec() {
            return new PruneSpec(method, sparsity, nm, scope, blockSize, dampening, blocks, metric, tokens, include, exclude);
        }
    }

    /**
     * Where the calibration windows come from: a registered {@code dataset} (id or name; TEXT, or JSONL with the text
     * under {@code field}, default {@code text}) or a {@code builtIn} set ({@code natural-english}, the default, or
     * {@code knowledge}); {@code nsamples} windows (default 128) of {@code seqlen} tokens (default 2048, clipped to the
     * model's context) drawn with {@code seed} (default 0).
     */
    public record Calibration(String dataset, String builtIn, String field, @Positive Integer nsamples,
                              @Positive Integer seqlen, Long seed) {
    }

    /** What the stage returns: the statistics of the output model and where the time went. */
    public record Result(PruneStatistics statistics, PhaseTimes times) {
    }

    private final Datasets datasets;
    private final CalibrationSampler calibrationSampler;

    public PruneStage(Datasets datasets, CalibrationSampler calibrationSampler) {
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
                + "layers, calibrated block by block; or block-removal of the blocks that change the hidden state least. "
                + "Writes a new model and returns sparsity, parameters, MACs per token and file size.";
    }

    @Override
    public Class<Parameters> parametersType() {
        return Parameters.class;
    }

    @Override
    public List<FieldProblem> validate(Parameters p) {
        List<FieldProblem> problems = new ArrayList<>();
        for (PruneProblem problem : p.spec().problems()) {
            problems.add(new FieldProblem(problem.field(), problem.message()));
        }
        if (p.dtype() != null && outputDtype(p.dtype()) == null) {
            problems.add(new FieldProblem("dtype", "must be bfloat16, float16 or float32, got '" + p.dtype() + "'"));
        }
        Calibration c = p.calibration();
        if (c == null) {
            return problems;
        }
        if ("magnitude".equalsIgnoreCase(p.method())) {
            problems.add(new FieldProblem("calibration", "magnitude pruning uses no calibration data"));
        }
        if (c.dataset() != null && c.builtIn() != null) {
            problems.add(new FieldProblem("calibration", "give a dataset or a builtIn set, not both"));
        }
        if (c.builtIn() != null && !calibrationSampler.builtInNames().contains(c.builtIn())) {
            problems.add(new FieldProblem("calibration.builtIn", "unknown built-in set '" + c.builtIn() + "' (known: "
                    + String.join(", ", calibrationSampler.builtInNames()) + ")"));
        }
        if (c.dataset() != null) {
            Optional<Dataset> dataset = dataset(c.dataset());
            if (dataset.isEmpty()) {
                problems.add(new FieldProblem("calibration.dataset", "no dataset with id or name '" + c.dataset() + "'"));
            } else if (dataset.get().getFormat() == DatasetFormat.CSV) {
                problems.add(new FieldProblem("calibration.dataset", "'" + c.dataset() + "' is CSV; calibration reads "
                        + "TEXT or JSONL datasets"));
            } else if (dataset.get().getFormat() == DatasetFormat.TEXT && c.field() != null) {
                problems.add(new FieldProblem("calibration.field", "'" + c.dataset() + "' is a TEXT dataset, which has no fields"));
            }
        } else if (c.field() != null) {
            problems.add(new FieldProblem("calibration.field", "applies to a JSONL dataset"));
        }
        return problems;
    }

    /** The problems of these parameters on the model {@code config} describes; a family the method cannot handle is
     * reported at {@code method}. */
    @Override
    public List<FieldProblem> validate(Parameters p, ModelConfig model) {
        List<FieldProblem> problems = new ArrayList<>();
        for (PruneProblem problem : p.spec().problems(model)) {
            String field = problem.field().equals("model") ? "method" : problem.field();
            problems.add(new FieldProblem(field, problem.message()));
        }
        return problems;
    }

    @Override
    public Result execute(Parameters p, StageContext context) throws Exception {
        PruneSpec spec = p.spec();
        ModelConfig config = ModelConfig.load(context.modelFolder());
        List<PruneProblem> problems = spec.problems(config);
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        PruneMethod method = spec.toMethod();
        CalibrationSettings calibration = calibration(p.calibration());
        int window = CalibrationSampler.context(config);
        if (method.needsCalibration() && calibration.sequenceLength() > window) {
            context.warning("calibration.seqlen", calibration.sequenceLength() + " is longer than the model's context of "
                    + window + " tokens; calibrating on windows of " + window + " tokens");
        }
        PruneRequest request = new PruneRequest(method, spec.tensors(), calibration,
                p.dtype() == null ? null : outputDtype(p.dtype()));
        Pruner.Result result = new Pruner(calibrationSampler).prune(context.modelFolder(),
                context.outputFolder(), request, new PruneProgress(context.progress()));
        result.statistics().warnings().forEach(warning -> context.warning(null, warning));
        Files.writeString(result.model().resolve(STATISTICS_FILE),
                JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(result.statistics()) + "\n");
        return new Result(result.statistics(), result.times());
    }

    private CalibrationSettings calibration(Calibration c) {
        if (c == null) {
            return CalibrationSettings.defaults(CalibrationSettings.DEFAULT_SOURCE);
        }
        CalibrationSource source = CalibrationSettings.DEFAULT_SOURCE;
        if (c.builtIn() != null) {
            source = new CalibrationSource.BuiltIn(c.builtIn());
        } else if (c.dataset() != null) {
            Dataset dataset = dataset(c.dataset()).orElseThrow(() -> new IllegalStateException(
                    "calibration.dataset: the dataset '" + c.dataset() + "' is no longer registered"));
            Path file = Path.of(dataset.getPath());
            source = dataset.getFormat() == DatasetFormat.JSONL ? new CalibrationSource.JsonLines(file, c.field())
                    : new CalibrationSource.TextFile(file);
        }
        return new CalibrationSettings(source,
                c.nsamples() == null ? CalibrationSettings.DEFAULT_SAMPLES : c.nsamples(),
                c.seqlen() == null ? CalibrationSettings.DEFAULT_SEQUENCE_LENGTH : c.seqlen(),
                c.seed() == null ? CalibrationSettings.DEFAULT_SEED : c.seed());
    }

    private Optional<Dataset> dataset(String idOrName) {
        try {
            return datasets.findById(UUID.fromString(idOrName));
        } catch (IllegalArgumentException notAnId) {
            return datasets.findByName(idOrName);
        }
    }

    private static DType outputDtype(String name) {
        DType dtype = DType.fromTorchName(name);
        return dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16 ? dtype : null;
    }
}
