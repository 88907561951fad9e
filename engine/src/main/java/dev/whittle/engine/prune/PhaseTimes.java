package dev.whittle.engine.prune;

/**
 * Where a pruning run spent its time, in seconds: loading the model, drawing and tokenising the calibration set,
 * the calibration forwards (block forwards and embedding lookups, without the time in statistics hooks), gathering
 * statistics (input norms, {@code X^T X}, block similarities), the solve (scores, masks, SparseGPT's factorisation
 * and updates) and writing the output folder.
 */
public record PhaseTimes(double load, double sample, double forward, double statistics, double solve, double write) {

    public double total() {
        return load + sample + forward + statistics + solve + write;
    }

    /** Accumulates nanoseconds per phase while a run goes. */
    static final class Clock {
        long load;
        long sample;
        long forward;
        long statistics;
        long solve;
        long write;

        PhaseTimes times() {
            return new PhaseTimes(load / 1e9, sample / 1e9, forward / 1e9, statistics / 1e9, solve / 1e9, write / 1e9);
        }
    }
}
