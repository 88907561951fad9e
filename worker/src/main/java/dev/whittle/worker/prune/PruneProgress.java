package dev.whittle.worker.prune;

import dev.whittle.engine.Progress;

/**
 * The pruner's and quantizer's reports as the job's progress: the main phase ({@code prune} or {@code quantize}:
 * blocks, or {@code score}: samples for block removal) gives the units, percent and ETA; loading comes before it at
 * zero, and only the end of writing after it, so the job's percent never goes back.
 */
public final class PruneProgress implements Progress {

    private final Progress job;
    private long done;
    private long total;

    public PruneProgress(Progress job) {
        this.job = job;
    }

    @Override
    public void report(String stage, long done, long total, String message) {
        switch (stage) {
            case "prune", "score", "quantize" -> {
                this.done = done;
                this.total = total;
                job.report(stage, done, total, message);
            }
            case "write" -> {
                if (total > 0 && done >= total) {
                    job.report(stage, this.done, this.total, "written");
                }
            }
            default -> job.report(stage, this.done, this.total, stage + " " + done + (total > 0 ? "/" + total : "")
                    + (message == null ? "" : ": " + message));
        }
    }

    @Override
    public boolean cancelRequested() {
        return job.cancelRequested();
    }
}
