package dev.whittle.engine.train.optim;

/**
 * Linear warmup from zero to {@code peak} over {@code warmupSteps} updates, then a cosine decay to {@code min}
 * at {@code totalSteps}; {@code min} after that.
 */
public record LearningRateSchedule(double peak, double min, long warmupSteps, long totalSteps) {

    public LearningRateSchedule {
        if (!(peak > 0) || min < 0 || min > peak) {
            throw new IllegalArgumentException("learning rates need 0 <= min <= peak and peak > 0, got peak " + peak
                    + ", min " + min);
        }
        if (warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warmup steps <= total steps, got " + warmupSteps + " and "
                    + totalSteps);
        }
    }

    /** A constant rate (no warmup, no decay). */
    public static LearningRateSchedule constant(double lr) {
        return new LearningRateSchedule(lr, lr, 0, 0);
    }

    /** The rate for update number {@code step}, counting from 0. */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (step >= totalSteps) {
            return min;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }
}
