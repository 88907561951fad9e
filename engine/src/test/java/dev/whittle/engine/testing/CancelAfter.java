package dev.whittle.engine.testing;

import dev.whittle.engine.Progress;

import java.util.concurrent.atomic.AtomicLong;

/** A progress that asks to cancel once {@link #count()} has been called {@code limit} times (one call per step). */
public final class CancelAfter implements Progress {

    private final long limit;
    private final AtomicLong counted = new AtomicLong();

    public CancelAfter(long limit) {
        this.limit = limit;
    }

    /** Counts one unit of work (pass {@code s -> cancel.count()} as a step callback). */
    public void count() {
        counted.incrementAndGet();
    }

    @Override
    public void report(String stage, long done, long total, String message) {
    }

    @Override
    public boolean cancelRequested() {
        return counted.get() >= limit;
    }
}
