package dev.whittle.worker.quantize;

import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.quant.QuantizeParameters;
import dev.whittle.engine.quant.QuantizeStatistics;
import dev.whittle.engine.quant.Quantizer;
import dev.whittle.worker.prune.CalibrationDatasets;
import dev.whittle.worker.prune.PruneProgress;
import dev.whittle.worker.prune.PruneStage;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.util.List;

/**
 * QUANTIZE: weight-only integer quantization of the chosen block linears by RTN or GPTQ, by the engine's
 * {@link Quantizer}; its parameters are the engine's {@link QuantizeParameters}. The output is a new model folder,
 * compressed-tensors {@code pack-quantized} (which EVALUATE and later stages read, dequantised) or with the
 * dequantised weights ({@code fake}), with {@value #STATISTICS_FILE} beside its weights; the stage's result is the
 * statistics (per-layer reconstruction error, bits per weight, bytes). As PRUNE, it is checked at submission and again
 * on the model it reads when it starts, and an interrupted run starts over (the calibration windows come from a fixed
 * seed, so the result is the same).
 */
@Component
public class QuantizeStage implements StageType<QuantizeParameters> {

    public static final String STATISTICS_FILE = "quantize_statistics.json";

    private final CalibrationDatasets datasets;
    private final CalibrationSampler calibrationSampler;

    public QuantizeStage(CalibrationDatasets datasets, CalibrationSampler calibrationSampler) {
        this.datasets = datasets;
        this.calibrationSampler = calibrationSampler;
    }

    @Override
    public String name() {
        return "QUANTIZE";
    }

    @Override
    public String description() {
        return "Quantizes the weights of the chosen linear layers to 2-8 bit integers, per group or per channel: rtn "
                + "(round to nearest) or gptq (calibrated block by block). Writes a new model in compressed-tensors "
                + "pack-quantized format (as vLLM and transformers load it) or its dequantised weights, and returns "
                + "each layer's reconstruction error, bits per weight and the size in bytes.";
    }

    @Override
    public Class<QuantizeParameters> parametersType() {
        return QuantizeParameters.class;
    }

    @Override
    public List<FieldProblem> validate(QuantizeParameters p) {
        List<FieldProblem> problems = PruneStage.fieldProblems(p.problems());
        if (p instanceof QuantizeParameters.Gptq g) {
            problems.addAll(datasets.problems(g.calibration()));
        }
        return problems;
    }

    @Override
    public List<FieldProblem> validate(QuantizeParameters p, ModelConfig model) {
        return PruneStage.fieldProblems(p.problems(model));
    }

    @Override
    public QuantizeStatistics execute(QuantizeParameters p, StageContext context) throws Exception {
        ModelConfig config = ModelConfig.load(context.modelFolder());
        List<PruneProblem> problems = p.problems(config);
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        CalibrationSource calibration = null;
        if (p instanceof QuantizeParameters.Gptq g) {
            calibration = datasets.source(g.calibration());
            int window = CalibrationSampler.context(config);
            if (g.calibration().seqlen() > window) {
                context.warning("calibration.seqlen", g.calibration().seqlen() + " is longer than the model's context "
                        + "of " + window + " tokens; calibrating on windows of " + window + " tokens");
            }
        }
        Quantizer.Result result = new Quantizer(calibrationSampler).quantize(context.modelFolder(),
                context.outputFolder(), p, calibration, new PruneProgress(context.progress()));
        result.statistics().warnings().forEach(warning -> context.warning(null, warning));
        Files.writeString(result.model().resolve(STATISTICS_FILE),
                JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(result.statistics()) + "\n");
        return result.statistics();
    }
}
