package dev.whittle.engine.quant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.TensorSelection;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;

/**
 * What a QUANTIZE stage is asked to do: weight-only integer quantization of the chosen block linears by {@code rtn}
 * or {@code gptq} (the {@code method} discriminator), the scheme (bits, group size, symmetric) and the output
 * format. Bounds are Bean Validation annotations; {@link #problems()} adds the rules between fields and
 * {@link #problems(ModelConfig)} those against the model. Defaults are filled in by each record's constructor.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method")
@JsonSubTypes({
        @JsonSubTypes.Type(value = QuantizeParameters.Rtn.class, name = QuantizeParameters.Rtn.NAME),
        @JsonSubTypes.Type(value = QuantizeParameters.Gptq.class, name = QuantizeParameters.Gptq.NAME)})
@Schema(description = "A weight quantization method and its parameters; `method` says which.",
        discriminatorProperty = "method", oneOf = {QuantizeParameters.Rtn.class, QuantizeParameters.Gptq.class},
        discriminatorMapping = {
                @DiscriminatorMapping(value = QuantizeParameters.Rtn.NAME, schema = QuantizeParameters.Rtn.class),
                @DiscriminatorMapping(value = QuantizeParameters.Gptq.NAME, schema = QuantizeParameters.Gptq.class)})
public sealed interface QuantizeParameters permits QuantizeParameters.Rtn, QuantizeParameters.Gptq {

    int DEFAULT_BITS = 4;
    int DEFAULT_GROUP = 128;

    String BITS = "Bits per weight: 2 to 8 (4 and 8 are what serving kernels run).";
    String GROUP = "Inputs sharing one scale (and zero point) in each output row; -1: one per row (per channel). A row "
            + "whose inputs are not a multiple keeps a narrower last group, as compressed-tensors allows (vLLM's kernels "
            + "want whole groups).";
    String SYMMETRIC = "Symmetric codes around zero (no zero point); false: a zero point per group.";
    String FORMAT = "pack-quantized: compressed-tensors' packed int32 codes with scales and quantization_config, as "
            + "vLLM and transformers load it; fake: the dequantised weights in the input's dtype.";
    String INCLUDE = "Regular expressions, searched in tensor names, choosing the weights to quantize (default: every "
            + "linear layer of the blocks; never the embeddings, the LM head or a router).";
    String EXCLUDE = "Regular expressions removing tensors from the choice.";
    String CALIBRATION = "The calibration set; default 128 windows of 2048 tokens of natural-english, seed 0.";

    /** The method's name, as {@code method} gives it. */
    default String name() {
        return switch (this) {
            case Rtn r -> Rtn.NAME;
            case Gptq g -> Gptq.NAME;
        };
    }

    Integer bits();

    Integer group();

    Boolean symmetric();

    Format format();

    List<String> include();

    List<String> exclude();

    default TensorSelection tensors() {
        return new TensorSelection(include(), exclude());
    }

    /** The scheme, scales stored as {@code scaleDtype}. */
    default QuantizationScheme scheme(dev.whittle.engine.io.DType scaleDtype) {
        return new QuantizationScheme(bits(), group(), symmetric(), scaleDtype);
    }

    /** What is wrong between the fields, without the model; empty when nothing is. */
    default List<PruneProblem> problems() {
        List<PruneProblem> problems = new ArrayList<>();
        if (group() == 0 || group() < QuantizationScheme.PER_CHANNEL) {
            problems.add(new PruneProblem("group", "a positive group size, or -1 for one group per output row; not "
                    + group()));
        }
        problems.addAll(tensors().syntaxProblems());
        if (this instanceof Gptq g) {
            problems.addAll(g.calibration().problems());
        }
        return problems;
    }

    /** What stops these parameters running on the model {@code config} describes; empty when nothing does. */
    default List<PruneProblem> problems(ModelConfig config) {
        try {
            tensors().select(TensorSelection.candidates(config));
        } catch (PruneProblemException e) {
            return e.problems();
        }
        return List.of();
    }

    /** Round to nearest: each weight rounded alone with its group's min-max scale; no calibration. */
    @Schema(description = "RTN: round to nearest, each group's scale from its min and max; no calibration.")
    record Rtn(
            @Schema(description = BITS, defaultValue = "" + DEFAULT_BITS, minimum = "2", maximum = "8")
            @Min(2) @Max(8) Integer bits,
            @Schema(description = GROUP, defaultValue = "" + DEFAULT_GROUP, example = "128") Integer group,
            @Schema(description = SYMMETRIC, defaultValue = "true") Boolean symmetric,
            @Schema(description = FORMAT, defaultValue = "pack-quantized") Format format,
            @Schema(description = INCLUDE) List<String> include,
            @Schema(description = EXCLUDE) List<String> exclude) implements QuantizeParameters {

        public static final String NAME = "rtn";

        public Rtn {
            bits = bits == null ? DEFAULT_BITS : bits;
            group = group == null ? DEFAULT_GROUP : group;
            symmetric = symmetric == null ? Boolean.TRUE : symmetric;
            format = format == null ? Format.PACK_QUANTIZED : format;
            include = include == null ? List.of() : List.copyOf(include);
            exclude = exclude == null ? List.of() : List.copyOf(exclude);
        }
    }

    /** GPTQ on the calibration Hessian, block by block; see {@link GptqQuantization}. */
    @Schema(description = "GPTQ: columns quantized in turn, each one's error spread over the rest with the inverse "
            + "calibration Hessian (Frantar et al.), calibrated block by block.")
    record Gptq(
            @Schema(description = BITS, defaultValue = "" + DEFAULT_BITS, minimum = "2", maximum = "8")
            @Min(2) @Max(8) Integer bits,
            @Schema(description = GROUP, defaultValue = "" + DEFAULT_GROUP, example = "128") Integer group,
            @Schema(description = SYMMETRIC, defaultValue = "true") Boolean symmetric,
            @Schema(description = "Quantize columns in descending order of the Hessian's diagonal (groups stay runs "
                    + "of consecutive inputs, their scales fixed before any update: llm-compressor's actorder static).",
                    defaultValue = "false") Boolean actOrder,
            @Schema(description = "Columns quantized and updated together.",
                    defaultValue = "" + GptqQuantization.DEFAULT_BLOCK_SIZE) @Min(1) Integer blockSize,
            @Schema(description = "Fraction of mean(diag H) added to the Hessian's diagonal; above 0.",
                    defaultValue = "" + GptqQuantization.DEFAULT_DAMPENING)
            @DecimalMin(value = "0", inclusive = false) Double dampening,
            @Schema(description = FORMAT, defaultValue = "pack-quantized") Format format,
            @Schema(description = INCLUDE) List<String> include,
            @Schema(description = EXCLUDE) List<String> exclude,
            @Schema(description = CALIBRATION) @Valid Calibration calibration) implements QuantizeParameters {

        public static final String NAME = "gptq";

        public Gptq {
            bits = bits == null ? DEFAULT_BITS : bits;
            group = group == null ? DEFAULT_GROUP : group;
            symmetric = symmetric == null ? Boolean.TRUE : symmetric;
            actOrder = actOrder == null ? Boolean.FALSE : actOrder;
            blockSize = blockSize == null ? GptqQuantization.DEFAULT_BLOCK_SIZE : blockSize;
            dampening = dampening == null ? GptqQuantization.DEFAULT_DAMPENING : dampening;
            format = format == null ? Format.PACK_QUANTIZED : format;
            include = include == null ? List.of() : List.copyOf(include);
            exclude = exclude == null ? List.of() : List.copyOf(exclude);
            calibration = calibration == null ? Calibration.DEFAULT : calibration;
        }
    }

    /** How the quantized weights are written. */
    enum Format {
        PACK_QUANTIZED("pack-quantized"), FAKE("fake");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }
}
