package dev.whittle.worker.run;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.whittle.engine.Progress;
import dev.whittle.persistence.job.JobEventLog;
import dev.whittle.persistence.job.JobProgress;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.outage.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Progress} a stage reports to: turns (stage, done, total, message) into the job's progress columns
 * (stage index and name, units, overall percent, ETA) and into progress events (which also carry the seconds
 * elapsed since the job started and those remaining until the ETA), writing at most once per
 * {@code writeInterval} (and events once per {@code eventInterval}) whatever the stage's reporting rate; the
 * last unit of a stage is always written. Each write also brings back whether to stop.
 */
final class ProgressReporter implements Progress {

    private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

    static final String PROGRESS_EVENT = "stage.progress";

    private final JobControl control;
    private final JobQueue queue;
    private final JobEventLog events;
    private final int stageIndex;
    private final int stageCount;
    private final String stageType;
    private final long writeIntervalNanos;
    private final long eventIntervalNanos;
    private final long startNanos = System.nanoTime();
    private final double startFraction;
    private final Instant jobStartedAt;
    private long lastWrite = Long.MIN_VALUE;
    private long lastEvent = Long.MIN_VALUE;

    ProgressReporter(JobControl control, JobQueue queue, JobEventLog events, int stageIndex, int stageCount,
                     String stageType, Instant jobStartedAt, Duration writeInterval, Duration eventInterval) {
        this.control = control;
        this.queue = queue;
        this.events = events;
        this.stageIndex = stageIndex;
        this.stageCount = stageCount;
        this.stageType = stageType;
        this.writeIntervalNanos = writeInterval.toNanos();
        this.eventIntervalNanos = eventInterval.toNanos();
        this.startFraction = (double) stageIndex / stageCount;
        this.jobStartedAt = jobStartedAt == null ? Instant.now() : jobStartedAt;
    }

    @Override
    public void report(String stage, long done, long total, String message) {
        report(stage, done, total, message, 0, 1);
    }

    /**
     * Reports of part {@code part} of {@code parts} equal parts of the stage: the units stay the part's own, and
     * the percent and ETA count the parts before it as done, so a stage whose units start again for each part
     * (an evaluation's tasks) still moves forward.
     */
    Progress part(int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts + " does not exist");
        }
        return new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                ProgressReporter.this.report(stage, done, total, message, part, parts);
            }

            @Override
            public boolean cancelRequested() {
                return ProgressReporter.this.cancelRequested();
            }
        };
    }

    private synchronized void report(String stage, long done, long total, String message, int part, int parts) {
        long now = System.nanoTime();
        boolean stageDone = total > 0 && done >= total;
        if (!stageDone && lastWrite != Long.MIN_VALUE && now - lastWrite < writeIntervalNanos) {
            return;
        }
        lastWrite = now;
        double partFraction = total > 0 ? Math.clamp((double) done / total, 0.0, 1.0) : 0.0;
        double stageFraction = (part + partFraction) / parts;
        double jobFraction = (stageIndex + stageFraction) / stageCount;
        String name = stage == null || stage.isBlank() || stage.equalsIgnoreCase(stageType) ? stageType : stageType + ": " + stage;
        Instant eta = eta(now, jobFraction);
        try {
            write(stage, done, total, message, name, now, stageDone, jobFraction, eta);
        } catch (RuntimeException e) {
            if (!DatabaseOutage.causes(e)) {
                throw e;
            }
            // Progress is a report, not the work: the stage carries on through an outage, and the heartbeat (or the
            // end of the stage) learns whether the lease is still held once the database is back.
            log.debug("Progress of job {} not written: the database cannot be reached", control.lease().jobId());
        }
    }

    private void write(String stage, long done, long total, String message, String name, long now, boolean stageDone,
                       double jobFraction, Instant eta) {
        control.update(queue.reportProgress(control.lease(), new JobProgress(stageIndex, stageCount, name, done,
                total, 100 * jobFraction, message, eta)));
        if (stageDone || lastEvent == Long.MIN_VALUE || now - lastEvent >= eventIntervalNanos) {
            lastEvent = now;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("stageIndex", stageIndex);
            data.put("stage", name);
            data.put("done", done);
            data.put("total", total);
            data.put("percent", Math.round(1000 * jobFraction) / 10.0);
            data.put("elapsedSeconds", Duration.between(jobStartedAt, Instant.now()).toSeconds());
            if (eta != null) {
                data.put("remainingSeconds", Math.max(0, Duration.between(Instant.now(), eta).toSeconds()));
            }
            events.info(control.lease().jobId(), PROGRESS_EVENT, name + (total > 0 ? " " + done + "/" + total : "")
                    + (message == null ? "" : " (" + message + ")"), data);
        }
    }

    /** When the job should end at the rate this attempt has made since this stage started; null until measurable. */
    private Instant eta(long now, double jobFraction) {
        double gained = jobFraction - startFraction;
        long elapsed = now - startNanos;
        if (gained <= 1e-9 || elapsed <= 0) {
            return null;
        }
        double remainingNanos = elapsed / gained * (1.0 - jobFraction);
        return Instant.now().plusNanos((long) Math.min(remainingNanos, Duration.ofDays(365).toNanos()));
    }

    @Override
    public boolean cancelRequested() {
        return control.stopRequested();
    }
}
