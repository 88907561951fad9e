package dev.whittle.engine.prune;

/**
 * A pruning method with its typed parameters. The three weight-pruning methods zero individual weights of the
 * chosen linear layers (unstructured at {@code sparsity}, or N:M when {@code nm} is given, in which case
 * {@code sparsity} is {@code nm.sparsity()}); block removal deletes whole decoder blocks.
 */
public sealed interface PruneMethod {

    /** The names users give, in the order they are listed. */
    java.util.List<String> NAMES = java.util.List.of(Magnitude.NAME, Wanda.NAME, SparseGpt.NAME, BlockRemoval.NAME);

    /** The name users give ({@code magnitude}, {@code wanda}, {@code sparsegpt}, {@code block-removal}). */
    String name();

    /** Whether the method runs the model on calibration data. */
    boolean needsCalibration();

    /** The weight-pruning methods: a target sparsity and an optional N:M pattern. */
    sealed interface WeightPruning extends PruneMethod {
        double sparsity();

        NmSparsity nm();
    }

    /** {@code |w|}, per matrix or ({@link MagnitudePruning.Scope#GLOBAL}) across all chosen matrices. */
    record Magnitude(double sparsity, NmSparsity nm, MagnitudePruning.Scope scope) implements WeightPruning {
        public static final String NAME = "magnitude";

        public Magnitude {
            sparsity = nm == null ? sparsity : nm.sparsity();
            scope = scope == null ? MagnitudePruning.Scope.LAYER : scope;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean needsCalibration() {
            return false;
        }
    }

    /** {@code |W_ij| * ||X_j||_2}, compared within each output row. */
    record Wanda(double sparsity, NmSparsity nm) implements WeightPruning {
        public static final String NAME = "wanda";

        public Wanda {
            sparsity = nm == null ? sparsity : nm.sparsity();
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean needsCalibration() {
            return true;
        }
    }

    /** OBS with the calibration Hessian; see {@link SparseGptPruning}. */
    record SparseGpt(double sparsity, NmSparsity nm, int blockSize, double dampening) implements WeightPruning {
        public static final String NAME = "sparsegpt";

        public SparseGpt {
            sparsity = nm == null ? sparsity : nm.sparsity();
        }

        /** The official defaults: blocks of 128 columns, dampening 0.01. */
        public SparseGpt(double sparsity, NmSparsity nm) {
            this(sparsity, nm, SparseGptPruning.DEFAULT_BLOCK_SIZE, SparseGptPruning.DEFAULT_DAMPENING);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean needsCalibration() {
            return true;
        }
    }

    /** Removes {@code blocks} whole decoder blocks chosen by {@code metric}; see {@link BlockScoring}. */
    record BlockRemoval(int blocks, BlockScoring.Metric metric, BlockScoring.Tokens tokens) implements PruneMethod {
        public static final String NAME = "block-removal";

        public BlockRemoval {
            metric = metric == null ? BlockScoring.Metric.ANGULAR_DISTANCE : metric;
            tokens = tokens == null ? metric.defaultTokens() : tokens;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean needsCalibration() {
            return true;
        }
    }
}
