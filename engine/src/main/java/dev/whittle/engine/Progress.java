package dev.whittle.engine;

/**
 * How long-running engine work (loading, calibration, pruning, training, evaluation) reports where it is and
 * learns that it should stop. The worker turns reports into job progress; the CLI prints them.
 */
public interface Progress {

    /** {@code done} of {@code total} units (layers, tensors, tokens, samples) of {@code stage}; message may be null. */
    void report(String stage, long done, long total, String message);

    /** True once the caller asked to stop; work checks this between units and then throws {@link Cancelled}. */
    default boolean cancelRequested() {
        return false;
    }

    /** Throws {@link Cancelled} if a stop was asked for. Call between units of work. */
    default void checkCancelled() {
        if (cancelRequested()) {
            throw new Cancelled();
        }
    }

    /** A view of {@code progress} that passes one call on at a time: for work that reports from several threads. */
    static Progress synchronizedView(Progress progress) {
        return new Progress() {
            @Override
            public synchronized void report(String stage, long done, long total, String message) {
                progress.report(stage, done, total, message);
            }

            @Override
            public synchronized boolean cancelRequested() {
                return progress.cancelRequested();
            }
        };
    }

    /** Reports nothing and never cancels. */
    Progress NONE = (stage, done, total, message) -> { };

    /** Thrown by work that stopped because it was asked to. */
    final class Cancelled extends RuntimeException {
        public Cancelled() {
            super("cancelled");
        }
    }
}
