package dev.whittle.worker.testing;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** How many times each test stage ran for each job: what "completed stages are not run again" is checked with. */
public final class StageRuns {

    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private StageRuns() {
    }

    static void record(UUID jobId, int stageIndex) {
        RUNS.computeIfAbsent(jobId + "/" + stageIndex, k -> new AtomicInteger()).incrementAndGet();
    }

    /** How many times stage {@code stageIndex} of job {@code jobId} started executing. */
    public static int of(UUID jobId, int stageIndex) {
        AtomicInteger n = RUNS.get(jobId + "/" + stageIndex);
        return n == null ? 0 : n.get();
    }
}
