package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.whittle.engine.model.ModelConfig;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Where the calibration windows come from and how many are drawn: a {@code dataset} (the service: a registered
 * TEXT or JSONL dataset by id or name; the CLI: a text or {@code .jsonl} file) or a {@code builtIn} set;
 * {@code nsamples} windows of {@code seqlen} tokens (the official code's names; the length is clipped to the
 * model's context) at random starts drawn with {@code seed}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "The calibration set: a dataset or a built-in set, and how many windows of how many tokens.")
public record Calibration(
        @Schema(description = "A registered TEXT or JSONL dataset, by id or name (the CLI: a text or .jsonl file). "
                + "Leave out for a built-in set.", example = "my-text")
        String dataset,
        // These two have no schema default: it holds only without a dataset (builtIn) or with a JSONL one (field),
        // and a generated client sends a field's default as if it had been given.
        @Schema(description = "A set the platform provides; natural-english when no dataset is given.",
                example = "natural-english")
        BuiltInSet builtIn,
        @Schema(description = "The string field holding each document of a JSONL dataset (only then; text when left "
                + "out).", example = "text")
        String field,
        @Schema(description = "How many windows to draw.", defaultValue = "" + DEFAULT_SAMPLES, example = "128")
        @Min(1) Integer nsamples,
        @Schema(description = "Tokens per window, clipped to the model's context.",
                defaultValue = "" + DEFAULT_SEQLEN, example = "2048")
        @Min(1) Integer seqlen,
        @Schema(description = "Seed of the random window starts.", defaultValue = "" + DEFAULT_SEED)
        Long seed) {

    /** The official code's defaults. */
    public static final int DEFAULT_SAMPLES = 128;
    public static final int DEFAULT_SEQLEN = 2048;
    public static final long DEFAULT_SEED = 0;
    /** The defaults: 128 windows of 2048 tokens, seed 0, from natural English. */
    public static final Calibration DEFAULT = new Calibration(null, null, null, null, null, null);

    public Calibration {
        builtIn = builtIn == null && dataset == null ? BuiltInSet.NATURAL_ENGLISH : builtIn;
        nsamples = nsamples == null ? DEFAULT_SAMPLES : nsamples;
        seqlen = seqlen == null ? DEFAULT_SEQLEN : seqlen;
        seed = seed == null ? DEFAULT_SEED : seed;
    }

    /** The calibration sets the platform provides. */
    public enum BuiltInSet {
        /** The engine's shipped Brown Corpus excerpt: general English, as the papers' C4 is. */
        NATURAL_ENGLISH(CalibrationSampler.NATURAL_ENGLISH),
        /**
         * Synthetic biographies of the reference corpus, the reference model's own kind of text: contributed to the
         * sampler by the lab module (the worker and the CLI add it), not by the engine.
         */
        KNOWLEDGE("knowledge");

        private final String id;

        BuiltInSet(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** What is wrong between the fields: a dataset and a built-in set together, a field without a dataset. */
    public List<PruneProblem> problems() {
        List<PruneProblem> problems = new ArrayList<>();
        if (dataset != null && builtIn != null) {
            problems.add(new PruneProblem("calibration", "give a dataset or a builtIn set, not both"));
        }
        if (dataset == null && field != null) {
            problems.add(new PruneProblem("calibration.field", "applies to a JSONL dataset"));
        }
        return problems;
    }

    /**
     * The bytes the calibration of {@code config}'s model holds at once beyond its weights: per window, the hidden
     * states at the current block boundary ({@code length x hidden} floats, {@link BlockSequence}), its tokens, and
     * the text they were encoded from (up to {@link CalibrationSampler#CHARS_PER_NEEDED_TOKEN} characters a token,
     * two bytes each). {@code length} is {@code seqlen} clipped to the model's context. A lower bound: the methods'
     * own statistics (Hessians, saliencies) come on top, but they do not grow with the windows.
     */
    public long memoryBytes(ModelConfig config) {
        long length = Math.min(seqlen, CalibrationSampler.context(config));
        long perToken = 4L * config.hiddenSize() + 4 + 2L * CalibrationSampler.CHARS_PER_NEEDED_TOKEN;
        try {
            return Math.multiplyExact(nsamples * length, perToken);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The source these settings name: the built-in set, or {@code datasets} applied to the dataset and field (how
     * a dataset is found, and whether it is text or JSON lines, is the caller's: the registry or the file system).
     */
    public CalibrationSource source(BiFunction<String, String, CalibrationSource> datasets) {
        return dataset == null ? new CalibrationSource.BuiltIn(builtIn.id()) : datasets.apply(dataset, field);
    }
}
