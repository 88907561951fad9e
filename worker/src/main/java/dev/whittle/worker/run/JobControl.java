package dev.whittle.worker.run;

import dev.whittle.persistence.job.Lease;
import dev.whittle.persistence.job.LeaseState;

/**
 * What the worker knows about one running job beyond the job itself: whether cancellation was requested,
 * whether the lease was lost, whether this worker is shutting down. Written by the heartbeat and progress
 * writes, read by the job's thread between units of work.
 */
public final class JobControl {

    private final Lease lease;
    private volatile boolean cancelRequested;
    private volatile boolean leaseLost;
    private volatile boolean shuttingDown;

    public JobControl(Lease lease) {
        this.lease = lease;
    }

    public Lease lease() {
        return lease;
    }

    /** Takes in what a lease renewal or progress write learned. */
    public void update(LeaseState state) {
        switch (state) {
            case CANCEL_REQUESTED -> cancelRequested = true;
            case LOST -> leaseLost = true;
            case HELD -> { }
        }
    }

    /** The worker is stopping: the job should stop and go back to the queue. */
    public void shutDown() {
        shuttingDown = true;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public boolean leaseLost() {
        return leaseLost;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** Whether the job's work should stop at the next unit, for any reason. */
    public boolean stopRequested() {
        return cancelRequested || leaseLost || shuttingDown;
    }
}
