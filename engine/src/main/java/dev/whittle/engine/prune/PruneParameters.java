package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.ModelConfig;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.List;

/**
 * What a pruning run is asked to do, as the API's PRUNE stage, the worker and the CLI all read it: the method
 * (named by {@code method}, the JSON discriminator) with only the fields that method uses, the calibration set of
 * the methods that run the model, and the stored dtype of the output. Bounds are Bean Validation annotations,
 * checked where a request comes in (the API's submission, the CLI's arguments); {@link #problems()} adds the rules
 * between fields and {@link #problems(ModelConfig)} those against the model. Defaults are filled in by each
 * record's constructor.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PruneParameters.Magnitude.class, name = PruneParameters.Magnitude.NAME),
        @JsonSubTypes.Type(value = PruneParameters.Wanda.class, name = PruneParameters.Wanda.NAME),
        @JsonSubTypes.Type(value = PruneParameters.SparseGpt.class, name = PruneParameters.SparseGpt.NAME),
        @JsonSubTypes.Type(value = PruneParameters.BlockRemoval.class, name = PruneParameters.BlockRemoval.NAME),
        @JsonSubTypes.Type(value = PruneParameters.Width.class, name = PruneParameters.Width.NAME),
        @JsonSubTypes.Type(value = PruneParameters.Reap.class, name = PruneParameters.Reap.NAME),
        @JsonSubTypes.Type(value = PruneParameters.Frequency.class, name = PruneParameters.Frequency.NAME),
        @JsonSubTypes.Type(value = PruneParameters.Ean.class, name = PruneParameters.Ean.NAME),
        @JsonSubTypes.Type(value = PruneParameters.MergeExperts.class, name = PruneParameters.MergeExperts.NAME)})
@Schema(description = "A pruning method and its parameters; `method` says which.", discriminatorProperty = "method",
        oneOf = {PruneParameters.Magnitude.class, PruneParameters.Wanda.class, PruneParameters.SparseGpt.class,
                PruneParameters.BlockRemoval.class, PruneParameters.Width.class, PruneParameters.Reap.class,
                PruneParameters.Frequency.class, PruneParameters.Ean.class, PruneParameters.MergeExperts.class},
        discriminatorMapping = {
                @DiscriminatorMapping(value = PruneParameters.Magnitude.NAME, schema = PruneParameters.Magnitude.class),
                @DiscriminatorMapping(value = PruneParameters.Wanda.NAME, schema = PruneParameters.Wanda.class),
                @DiscriminatorMapping(value = PruneParameters.SparseGpt.NAME, schema = PruneParameters.SparseGpt.class),
                @DiscriminatorMapping(value = PruneParameters.BlockRemoval.NAME,
                        schema = PruneParameters.BlockRemoval.class),
                @DiscriminatorMapping(value = PruneParameters.Width.NAME, schema = PruneParameters.Width.class),
                @DiscriminatorMapping(value = PruneParameters.Reap.NAME, schema = PruneParameters.Reap.class),
                @DiscriminatorMapping(value = PruneParameters.Frequency.NAME, schema = PruneParameters.Frequency.class),
                @DiscriminatorMapping(value = PruneParameters.Ean.NAME, schema = PruneParameters.Ean.class),
                @DiscriminatorMapping(value = PruneParameters.MergeExperts.NAME,
                        schema = PruneParameters.MergeExperts.class)})
public sealed interface PruneParameters permits PruneParameters.WeightPruning, PruneParameters.Calibrated {

    /** The method's name, as {@code method} gives it. */
    default String name() {
        for (JsonSubTypes.Type type : PruneParameters.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == getClass()) {
                return type.name();
            }
        }
        throw new IllegalStateException(getClass() + " is not a listed method");
    }

    /** The stored dtype of the output; null: the source's. */
    Dtype dtype();

    /** What is wrong between the fields, without the model; empty when nothing is. */
    default List<PruneProblem> problems() {
        return PruneValidation.problems(this);
    }

    /** What stops these parameters running on the model {@code config} describes; empty when nothing does. */
    default List<PruneProblem> problems(ModelConfig config) {
        return PruneValidation.problems(this, config);
    }

    // Descriptions of the fields several methods share, for their OpenAPI schemas.
    String SPARSITY = "Fraction of each chosen matrix's weights to zero, in [0, 1). Required unless nm is given "
            + "(then it is nm's N/M).";
    String NM = "N:M semi-structured sparsity: N of every M consecutive inputs of a row zeroed (2:4 is 50%).";
    String INCLUDE = "Regular expressions, searched in tensor names, choosing the weights to prune (default: every "
            + "linear layer of the blocks; in a Mixture-of-Experts layer every expert's, each calibrated on the tokens "
            + "routed to it, never the router).";
    String EXCLUDE = "Regular expressions removing tensors from the choice.";
    String CALIBRATION = "The calibration set; default 128 windows of 2048 tokens of natural-english, seed 0.";
    String DTYPE = "Stored dtype of the output's weights; default: the input's.";
    String EXPERTS = "Fraction of each sparse layer's routed experts to remove, in (0, 1): round(fraction x experts) "
            + "go from every layer, and at least top-k must stay.";

    /** The weight-pruning methods: a target sparsity or an N:M pattern on the chosen block linears. */
    sealed interface WeightPruning extends PruneParameters permits Magnitude, Wanda, SparseGpt {
        /** The fraction pruned: as given, or N/M with {@code nm}; null only in a request missing both. */
        Double sparsity();

        NmSparsity nm();

        List<String> include();

        List<String> exclude();

        default TensorSelection tensors() {
            return new TensorSelection(include(), exclude());
        }

        /** The sparsity as given, or when left out the one N:M implies. */
        private static Double impliedSparsity(Double sparsity, NmSparsity nm) {
            return sparsity == null && nm != null ? Double.valueOf(nm.sparsity()) : sparsity;
        }

        /** Patterns as given, none when left out. */
        private static List<String> patterns(List<String> patterns) {
            return patterns == null ? List.of() : List.copyOf(patterns);
        }
    }

    String PROFILE = "uniform: every block at the sparsity; owl (outlier-weighted layer-wise sparsity): blocks with "
            + "more outlier weights (Wanda scores above owlM x their mean) pruned less, the blocks' sparsities differing "
            + "by at most 2 x owlLambda and averaging to the sparsity. Unstructured only.";
    String OWL_M = "OWL's outlier threshold: a weight is an outlier when its Wanda score exceeds this multiple of its "
            + "block's mean score.";
    String OWL_LAMBDA = "OWL's spread: the blocks' sparsities span 2 x this, around the target.";

    /** The methods that may spread their sparsity over the blocks unevenly (OWL). */
    sealed interface Layerwise permits Wanda, SparseGpt {
        Double sparsity();

        OwlProfile.Profile sparsityProfile();

        Double owlM();

        Double owlLambda();

        default boolean owl() {
            return sparsityProfile() == OwlProfile.Profile.OWL;
        }
    }

    /** The methods that run the model on calibration windows. */
    sealed interface Calibrated extends PruneParameters permits Wanda, SparseGpt, BlockRemoval, Width,
            ExpertReduction {
        Calibration calibration();

        private static Calibration orDefault(Calibration calibration) {
            return calibration == null ? Calibration.DEFAULT : calibration;
        }
    }

    /** {@code |w|}, per matrix or across all chosen matrices; no calibration. */
    @Schema(description = "Magnitude pruning: the smallest |w| go (per matrix, or one threshold across them).")
    record Magnitude(
            @Schema(description = SPARSITY, example = "0.5", exclusiveMaximumValue = 1)
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double sparsity,
            @Schema(description = NM, implementation = String.class, example = "2:4") NmSparsity nm,
            @Schema(description = "Where magnitudes compete: each matrix alone, or all chosen matrices together.",
                    defaultValue = "layer") MagnitudePruning.Scope scope,
            @Schema(description = INCLUDE) List<String> include,
            @Schema(description = EXCLUDE) List<String> exclude,
            @Schema(description = DTYPE) Dtype dtype) implements WeightPruning {

        public static final String NAME = "magnitude";

        public Magnitude {
            sparsity = WeightPruning.impliedSparsity(sparsity, nm);
            scope = scope == null ? MagnitudePruning.Scope.LAYER : scope;
            include = WeightPruning.patterns(include);
            exclude = WeightPruning.patterns(exclude);
        }
    }

    /** Wanda: {@code |W_ij| * ||X_j||_2}, compared within each output row. */
    @Schema(description = "Wanda: |W_ij| * ||X_j||, weights compared within their output row.")
    record Wanda(
            @Schema(description = SPARSITY, example = "0.5", exclusiveMaximumValue = 1)
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double sparsity,
            @Schema(description = NM, implementation = String.class, example = "2:4") NmSparsity nm,
            @Schema(description = INCLUDE) List<String> include,
            @Schema(description = EXCLUDE) List<String> exclude,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype,
            @Schema(description = PROFILE, defaultValue = "uniform") OwlProfile.Profile sparsityProfile,
            @Schema(description = OWL_M, defaultValue = "" + OwlProfile.DEFAULT_M)
            @DecimalMin(value = "0", inclusive = false) Double owlM,
            @Schema(description = OWL_LAMBDA, defaultValue = "" + OwlProfile.DEFAULT_LAMBDA)
            @DecimalMin("0") @DecimalMax(value = "0.5", inclusive = false) Double owlLambda)
            implements WeightPruning, Calibrated, Layerwise {

        public static final String NAME = "wanda";

        public Wanda {
            sparsityProfile = sparsityProfile == null ? OwlProfile.Profile.UNIFORM : sparsityProfile;
            owlM = owlM == null ? OwlProfile.DEFAULT_M : owlM;
            owlLambda = owlLambda == null ? OwlProfile.DEFAULT_LAMBDA : owlLambda;
            sparsity = WeightPruning.impliedSparsity(sparsity, nm);
            include = WeightPruning.patterns(include);
            exclude = WeightPruning.patterns(exclude);
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** SparseGPT: OBS with the calibration Hessian; see {@link SparseGptPruning}. */
    @Schema(description = "SparseGPT: prunes and updates the remaining weights with the calibration Hessian.")
    record SparseGpt(
            @Schema(description = SPARSITY, example = "0.5", exclusiveMaximumValue = 1)
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double sparsity,
            @Schema(description = NM, implementation = String.class, example = "2:4") NmSparsity nm,
            @Schema(description = "Columns pruned and updated together.",
                    defaultValue = "" + SparseGptPruning.DEFAULT_BLOCK_SIZE) @Min(1) Integer blockSize,
            @Schema(description = "Fraction of mean(diag H) added to the Hessian's diagonal; above 0.",
                    defaultValue = "" + SparseGptPruning.DEFAULT_DAMPENING)
            @DecimalMin(value = "0", inclusive = false) Double dampening,
            @Schema(description = INCLUDE) List<String> include,
            @Schema(description = EXCLUDE) List<String> exclude,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype,
            @Schema(description = PROFILE, defaultValue = "uniform") OwlProfile.Profile sparsityProfile,
            @Schema(description = OWL_M, defaultValue = "" + OwlProfile.DEFAULT_M)
            @DecimalMin(value = "0", inclusive = false) Double owlM,
            @Schema(description = OWL_LAMBDA, defaultValue = "" + OwlProfile.DEFAULT_LAMBDA)
            @DecimalMin("0") @DecimalMax(value = "0.5", inclusive = false) Double owlLambda)
            implements WeightPruning, Calibrated, Layerwise {

        public static final String NAME = "sparsegpt";

        public SparseGpt {
            sparsityProfile = sparsityProfile == null ? OwlProfile.Profile.UNIFORM : sparsityProfile;
            owlM = owlM == null ? OwlProfile.DEFAULT_M : owlM;
            owlLambda = owlLambda == null ? OwlProfile.DEFAULT_LAMBDA : owlLambda;
            sparsity = WeightPruning.impliedSparsity(sparsity, nm);
            blockSize = blockSize == null ? SparseGptPruning.DEFAULT_BLOCK_SIZE : blockSize;
            dampening = dampening == null ? SparseGptPruning.DEFAULT_DAMPENING : dampening;
            include = WeightPruning.patterns(include);
            exclude = WeightPruning.patterns(exclude);
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** Removes {@code blocks} whole decoder blocks chosen by {@code metric}; see {@link BlockScoring}. */
    @Schema(description = "Block removal: the decoder blocks that change the hidden state least go.")
    record BlockRemoval(
            @Schema(description = "How many decoder blocks to remove (fewer than the model has).", example = "2",
                    requiredMode = Schema.RequiredMode.REQUIRED) @NotNull @Min(1) Integer blocks,
            @Schema(description = "angular-distance (Gromov et al.: the contiguous run whose input and output are "
                    + "closest) or block-influence (ShortGPT: the blocks with the lowest 1 - cos).",
                    defaultValue = "angular-distance") BlockScoring.Metric metric,
            @Schema(description = "Positions the similarity averages over; default as the metric's paper: last for "
                    + "angular-distance, all for block-influence.") BlockScoring.Tokens tokens,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements Calibrated {

        public static final String NAME = "block-removal";

        public BlockRemoval {
            metric = metric == null ? BlockScoring.Metric.ANGULAR_DISTANCE : metric;
            tokens = tokens == null ? metric.defaultTokens() : tokens;
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /**
     * Structured width pruning in the manner of Minitron (Muralidharan et al. 2024): whole MLP channels and whole
     * key-value head groups with the lowest activation importance go from every block, uniformly, leaving a smaller
     * dense model; see {@link dev.whittle.engine.prune.width.WidthPruning}.
     */
    @Schema(description = "Width pruning (Minitron-style): from every block the MLP channels (intermediate neurons) "
            + "and attention heads with the lowest activation importance on the calibration set go, leaving a smaller "
            + "dense model in the same layout (intermediate_size, num_attention_heads, num_key_value_heads and "
            + "head_dim rewritten). A channel's importance is the mean over calibration windows of the L2 norm over "
            + "the window's tokens of its activation silu(gate) x up; a head's the same of its attention output; heads "
            + "go as whole key-value groups (a KV head with all its query heads), scored by the sum of their heads'. "
            + "Blocks are calibrated in order on the outputs of the blocks already pruned. No retraining. Dense "
            + "models only.")
    record Width(
            @Schema(description = "Fraction of each MLP's intermediate channels to remove, in [0, 1): "
                    + Width.CHANNEL_MULTIPLE + " x round(mlpRatio x intermediate_size / " + Width.CHANNEL_MULTIPLE
                    + ") go from every block (so a multiple of " + Width.CHANNEL_MULTIPLE + " stays a multiple of "
                    + Width.CHANNEL_MULTIPLE + "); at least " + Width.CHANNEL_MULTIPLE + " must stay.",
                    example = "0.5", defaultValue = "0", exclusiveMaximumValue = 1)
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double mlpRatio,
            @Schema(description = "Fraction of attention heads to remove, in [0, 1): round(headRatio x "
                    + "num_key_value_heads) key-value groups (each a KV head and the num_attention_heads / "
                    + "num_key_value_heads query heads reading it) go from every block, so grouped-query attention "
                    + "stays integral; at least one group must stay.",
                    example = "0.25", defaultValue = "0", exclusiveMaximumValue = 1)
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double headRatio,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements Calibrated {

        public static final String NAME = "width";

        /** Channels go in multiples of this, so that a kept width that was a multiple of 8 stays one. */
        public static final int CHANNEL_MULTIPLE = 8;

        public Width {
            mlpRatio = mlpRatio == null ? 0.0 : mlpRatio;
            headRatio = headRatio == null ? 0.0 : headRatio;
            calibration = Calibrated.orDefault(calibration);
        }

        /** How many of an MLP's {@code intermediate} channels go. */
        public int removedChannelsOf(int intermediate) {
            return CHANNEL_MULTIPLE * (int) Math.round(mlpRatio * intermediate / CHANNEL_MULTIPLE);
        }

        /** How many of a block's {@code kvHeads} key-value groups go. */
        public int removedGroupsOf(int kvHeads) {
            return (int) Math.round(headRatio * kvHeads);
        }
    }

    /**
     * The methods of Mixture-of-Experts models: every sparse layer ends with the same number fewer routed experts, by
     * pruning or merging them on the calibration set.
     */
    sealed interface ExpertReduction extends Calibrated permits ExpertPruning, MergeExperts {
        /** The fraction of each sparse layer's experts removed, in (0, 1). */
        Double experts();

        /** How many of a layer's {@code total} experts go: {@code round(experts x total)}. */
        default int removedOf(int total) {
            return (int) Math.round(experts() * total);
        }
    }

    /**
     * Expert pruning: score every routed expert of every sparse layer on the calibration set, then remove each
     * layer's lowest-scoring ones; see {@link dev.whittle.engine.prune.experts.ExpertSaliency}.
     */
    sealed interface ExpertPruning extends ExpertReduction permits Reap, Frequency, Ean {
    }

    /** REAP: the lowest mean of {@code g_j(x) * ||f_j(x)||} over the tokens routed to expert j go. */
    @Schema(description = "REAP (router-weighted expert activation pruning): the experts with the lowest mean, over "
            + "the tokens routed to them, of their renormalised gate times the norm of their output go. "
            + "Mixture-of-Experts models only.")
    record Reap(
            @Schema(description = EXPERTS, example = "0.25", exclusiveMinimumValue = 0, exclusiveMaximumValue = 1,
                    requiredMode = Schema.RequiredMode.REQUIRED)
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double experts,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements ExpertPruning {

        public static final String NAME = "reap";

        public Reap {
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** Frequency: the experts fewest tokens are routed to go. */
    @Schema(description = "Frequency: the experts that are in the fewest tokens' top-k go. Mixture-of-Experts models "
            + "only.")
    record Frequency(
            @Schema(description = EXPERTS, example = "0.25", exclusiveMinimumValue = 0, exclusiveMaximumValue = 1,
                    requiredMode = Schema.RequiredMode.REQUIRED)
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double experts,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements ExpertPruning {

        public static final String NAME = "frequency";

        public Frequency {
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** EAN: the lowest summed output norm over the tokens routed to the expert go. */
    @Schema(description = "EAN (expert activation norm): the experts whose output norms, summed over the tokens routed "
            + "to them, are lowest go. Mixture-of-Experts models only.")
    record Ean(
            @Schema(description = EXPERTS, example = "0.25", exclusiveMinimumValue = 0, exclusiveMaximumValue = 1,
                    requiredMode = Schema.RequiredMode.REQUIRED)
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double experts,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements ExpertPruning {

        public static final String NAME = "ean";

        public Ean {
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** Expert merging; see {@link dev.whittle.engine.prune.experts.ExpertMerging}. */
    @Schema(description = "Expert merging (M-SMoE similarity, HC-SMoE grouping): each sparse layer's experts are "
            + "clustered by the cosine of their router logits on the calibration set (average linkage) and each group "
            + "becomes the frequency-weighted average of its members, routed by its most frequent member's router row. "
            + "Mixture-of-Experts models only.")
    record MergeExperts(
            @Schema(description = EXPERTS, example = "0.25", exclusiveMinimumValue = 0, exclusiveMaximumValue = 1,
                    requiredMode = Schema.RequiredMode.REQUIRED)
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double experts,
            @Schema(description = CALIBRATION) @Valid Calibration calibration,
            @Schema(description = DTYPE) Dtype dtype) implements ExpertReduction {

        public static final String NAME = "merge-experts";

        public MergeExperts {
            calibration = Calibrated.orDefault(calibration);
        }
    }

    /** The dtypes a pruned model can be stored in. */
    enum Dtype {
        BFLOAT16(DType.BF16), FLOAT16(DType.F16), FLOAT32(DType.F32);

        private final DType stored;

        Dtype(DType stored) {
            this.stored = stored;
        }

        public DType stored() {
            return stored;
        }

        @JsonValue
        public String id() {
            return stored.torchName();
        }
    }
}
