package dev.whittle.engine.merge;

import java.util.List;

/** A merge recipe, named as mergekit names it. */
public sealed interface MergeMethod {

    /** Whether the recipe needs a base model (task vectors are taken against it). */
    default boolean needsBase() {
        return false;
    }

    /** The number of models (besides a base) the recipe takes: any from 2, or exactly 2. */
    default void checkModelCount(int models) {
        if (models < 2) {
            throw new IllegalArgumentException("a merge needs at least two models, got " + models);
        }
    }

    /** {@code sum(w_i theta_i) / sum(w_i)}; one weight per model, positive sum. */
    record Linear(List<Double> weights) implements MergeMethod {
        public Linear {
            weights = List.copyOf(weights);
            if (weights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
                throw new IllegalArgumentException("linear merge weights must have a positive sum, got " + weights);
            }
        }

        @Override
        public void checkModelCount(int models) {
            MergeMethod.super.checkModelCount(models);
            if (models != weights.size()) {
                throw new IllegalArgumentException(models + " models and " + weights.size() + " weights");
            }
        }
    }

    /** Spherical interpolation from the first model (t = 0) to the second (t = 1). */
    record Slerp(double t) implements MergeMethod {
        public Slerp {
            if (!(t >= 0 && t <= 1)) {
                throw new IllegalArgumentException("slerp t must be in [0, 1], got " + t);
            }
        }

        @Override
        public void checkModelCount(int models) {
            if (models != 2) {
                throw new IllegalArgumentException("slerp merges exactly two models, got " + models);
            }
        }
    }

    /**
     * TIES-merging (Yadav et al. 2023) as mergekit runs it: each model's task vector {@code theta_i - base} keeps
     * its {@code density} fraction of largest magnitudes; the sign of each entry is elected by the summed weighted
     * mass; the kept entries of that sign are averaged with their weights; the result is added to the base.
     */
    record Ties(double density, List<Double> weights) implements MergeMethod {
        public Ties {
            weights = List.copyOf(weights);
            if (!(density > 0 && density <= 1)) {
                throw new IllegalArgumentException("ties density must be in (0, 1], got " + density);
            }
        }

        @Override
        public boolean needsBase() {
            return true;
        }

        @Override
        public void checkModelCount(int models) {
            MergeMethod.super.checkModelCount(models);
            if (models != weights.size()) {
                throw new IllegalArgumentException(models + " models and " + weights.size() + " weights");
            }
        }
    }
}
