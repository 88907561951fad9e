package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Which decoder blocks matter least, measured on calibration data from the hidden states at block boundaries
 * (boundary {@code b} is the state entering block {@code b}; boundary {@code L} is the last block's output).
 */
public final class BlockScoring {

    /** How blocks are scored and chosen. */
    public enum Metric {
        /**
         * Gromov et al. 2024, "The Unreasonable Ineffectiveness of the Deeper Layers": for each start {@code l}, the
         * angular distance {@code arccos(cos(x_l, x_{l+n})) / pi} between the state entering block {@code l} and the
         * state leaving block {@code l+n-1}, averaged over the chosen tokens of every sample (the paper takes the
         * last token of each sequence); the contiguous run of {@code n} blocks with the smallest distance goes.
         */
        ANGULAR_DISTANCE("angular-distance", Tokens.LAST),
        /**
         * Men et al. 2024, "ShortGPT": Block Influence {@code BI_l = 1 - mean cos(x_l, x_{l+1})} over every token
         * (the paper averages over all tokens); the {@code n} blocks with the lowest BI go, wherever they are.
         */
        BLOCK_INFLUENCE("block-influence", Tokens.ALL);

        private final String id;
        private final Tokens defaultTokens;

        Metric(String id, Tokens defaultTokens) {
            this.id = id;
            this.defaultTokens = defaultTokens;
        }

        /** The name users give. */
        @JsonValue
        public String id() {
            return id;
        }

        /** The tokens its paper averages over. */
        public Tokens defaultTokens() {
            return defaultTokens;
        }
    }

    /** Which positions of each calibration sequence the similarities are averaged over. */
    public enum Tokens {
        /** The last position only (it has attended to the whole sequence). */
        LAST,
        /** Every position. */
        ALL;

        /** The name users give. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The scores and the choice: {@code scores[l]} belongs to the run of {@code span} blocks starting at {@code l}
     * (span {@code n} for angular distance, 1 for Block Influence); {@code removed} are block indices, ascending.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "BlockScores") // not "Result", as PRUNE's own result is
    public record Result(Metric metric, Tokens tokens, int span, List<Double> scores, List<Integer> removed) {
    }

    private BlockScoring() {
    }

    /** Scores the blocks of {@code decoder} on {@code windows} and chooses {@code n} to remove. */
    public static Result score(Decoder decoder, CalibrationWindows windows, int n, Metric metric, Tokens tokens,
                               Progress progress) {
        int layers = decoder.blocks().size();
        if (n < 1 || n >= layers) {
            throw new IllegalArgumentException("can remove 1 to " + (layers - 1) + " of the " + layers
                    + " blocks, not " + n);
        }
        int span = metric == Metric.ANGULAR_DISTANCE ? n : 1;
        double[] sums = new double[layers - span + 1];
        long[] counts = new long[sums.length];
        ForwardState state = ForwardState.forInference();
        int hidden = decoder.hiddenSize();
        for (int s = 0; s < windows.samples(); s++) {
            progress.checkCancelled();
            int[] window = windows.windows().get(s);
            Boundaries hooks = new Boundaries(span, layers, hidden, window.length, tokens, metric, sums, counts);
            decoder.forward(Batch.of(window), state, hooks);
            progress.report("score", s + 1, windows.samples(), null);
        }
        List<Double> scores = new ArrayList<>();
        for (int l = 0; l < sums.length; l++) {
            double mean = sums[l] / counts[l];
            scores.add(metric == Metric.BLOCK_INFLUENCE ? 1 - mean : mean);
        }
        List<Integer> removed;
        if (metric == Metric.ANGULAR_DISTANCE) {
            int best = 0;
            for (int l = 1; l < scores.size(); l++) {
                if (scores.get(l) < scores.get(best)) {
                    best = l;
                }
            }
            removed = IntStream.range(best, best + n).boxed().toList();
        } else {
            removed = IntStream.range(0, layers).boxed()
                    .sorted(Comparator.comparingDouble((Integer l) -> scores.get(l)).thenComparing(l -> l))
                    .limit(n).sorted().toList();
        }
        return new Result(metric, tokens, span, List.copyOf(scores), removed);
    }

    /**
     * Keeps the last {@code span + 1} boundaries of one sequence (only the rows that are scored) and, at each boundary
     * {@code b >= span}, adds the per-token angular distance or cosine between boundaries {@code b - span} and b.
     */
    private static final class Boundaries implements ForwardHooks {
        private final int span;
        private final int layers;
        private final int hidden;
        private final int firstRow;
        private final int rows;
        private final Metric metric;
        private final double[] sums;
        private final long[] counts;
        private final float[][] ring;

        Boundaries(int span, int layers, int hidden, int length, Tokens tokens, Metric metric, double[] sums,
                   long[] counts) {
            this.span = span;
            this.layers = layers;
            this.hidden = hidden;
            this.firstRow = tokens == Tokens.LAST ? length - 1 : 0;
            this.rows = length - firstRow;
            this.metric = metric;
            this.sums = sums;
            this.counts = counts;
            this.ring = new float[span + 1][rows * hidden];
        }

        @Override
        public void blockInput(int block, float[] state, int totalRows, int dim) {
            boundary(block, state);
        }

        @Override
        public void blockOutput(int block, float[] state, int totalRows, int dim) {
            if (block == layers - 1) {
                boundary(layers, state);
            }
        }

        private void boundary(int b, float[] state) {
            float[] slot = ring[b % (span + 1)];
            System.arraycopy(state, firstRow * hidden, slot, 0, rows * hidden);
            if (b < span) {
                return;
            }
            float[] earlier = ring[(b - span) % (span + 1)];
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double cos = cosine(earlier, slot, r * hidden, hidden);
                sum += metric == Metric.ANGULAR_DISTANCE ? Math.acos(cos) / Math.PI : cos;
            }
            sums[b - span] += sum;
            counts[b - span] += rows;
        }

        /** Cosine similarity of two rows in double, clamped to [-1, 1]; a zero row is similar only to a zero row. */
        static double cosine(float[] a, float[] b, int off, int len) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int i = off; i < off + len; i++) {
                dot += (double) a[i] * b[i];
                na += (double) a[i] * a[i];
                nb += (double) b[i] * b[i];
            }
            if (na == 0 || nb == 0) {
                return na == nb ? 1 : 0;
            }
            return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
        }
    }
}
