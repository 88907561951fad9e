package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;

import java.util.Locale;

/**
 * A task's progress in samples, reported as stage {@code evaluate} with the task, samples/s and the time left in the
 * message ({@code mcr-qa: 3.2 samples/s, ETA 1m05s}). The scoring primitives get views of it that pass cancellation
 * through and turn their own counts into fractions of the samples in hand.
 */
final class SampleProgress {

    static final String STAGE = "evaluate";
    private static final long INNER_INTERVAL_NANOS = 500_000_000L;

    private final Progress outer;
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastInner;

    SampleProgress(Progress outer, String task, long total) {
        this.outer = outer;
        this.task = task;
        this.total = total;
    }

    void checkCancelled() {
        outer.checkCancelled();
    }

    /** {@code samples} more are finished. */
    void advance(long samples) {
        done += samples;
        report(done);
    }

    /** A view for work on the next {@code samples} samples: its reports move the count within them. */
    Progress within(long samples) {
        return new Progress() {
            @Override
            public void report(String stage, long innerDone, long innerTotal, String message) {
                long now = System.nanoTime();
                if (innerTotal > 0 && now - lastInner >= INNER_INTERVAL_NANOS) {
                    lastInner = now;
                    SampleProgress.this.report(done + samples * Math.min(innerDone, innerTotal) / innerTotal);
                }
            }

            @Override
            public boolean cancelRequested() {
                return outer.cancelRequested();
            }
        };
    }

    private void report(long current) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? current / seconds : 0;
        StringBuilder message = new StringBuilder(task).append(": ")
                .append(String.format(Locale.ROOT, "%.2f samples/s", rate));
        if (rate > 0 && current < total) {
            message.append(", ETA ").append(duration((total - current) / rate));
        }
        outer.report(STAGE, current, total, message.toString());
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return s / 3600 + "h" + String.format(Locale.ROOT, "%02d", s % 3600 / 60) + "m";
    }
}
