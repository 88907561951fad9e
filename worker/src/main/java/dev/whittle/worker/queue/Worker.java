package dev.whittle.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.whittle.persistence.job.Claim;
import dev.whittle.persistence.job.JobQueue;
import dev.whittle.persistence.job.LeaseState;
import dev.whittle.worker.run.JobControl;
import dev.whittle.worker.run.JobRunner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A worker: {@code concurrency} threads that each claim the oldest queued job and run it, and a heartbeat that
 * renews the leases of the jobs they run (learning on the way whether a job was cancelled or its lease lost).
 * Workers in any number of processes share one database and coordinate only through it.
 */
public final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final String id;
    private final int concurrency;
    private final WorkerProperties settings;
    private final JobQueue queue;
    private final JobRunner runner;
    private final Timer claimLatency;
    private final Map<UUID, JobControl> running = new ConcurrentHashMap<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService heartbeat;
    private volatile boolean stopping;
    private volatile boolean halted;
    private volatile Instant lastHeartbeat = Instant.now();

    Worker(String id, int concurrency, WorkerProperties settings, JobQueue queue, JobRunner runner, MeterRegistry meters) {
        this.id = id;
        this.concurrency = concurrency;
        this.settings = settings;
        this.queue = queue;
        this.runner = runner;
        this.claimLatency = Timer.builder("whittle.claim.latency")
                .description("Time jobs waited in the queue before a worker claimed them")
                .publishPercentileHistogram()
                .register(meters);
    }

    public String id() {
        return id;
    }

    public int concurrency() {
        return concurrency;
    }

    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("worker " + id + " already started");
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("whittle-heartbeat-" + id).factory());
        long period = settings.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
        for (int i = 0; i < concurrency; i++) {
            Thread t = Thread.ofPlatform().name("whittle-worker-" + i + "-" + id).start(this::claimLoop);
            threads.add(t);
        }
        log.info("Worker {} started: {} thread(s), lease {}, heartbeat {}", id, concurrency, settings.lease(),
                settings.heartbeat());
    }

    /**
     * Stops claiming, asks running jobs to stop at their next unit of work (they go back to the queue) and
     * waits up to {@code grace} for the threads to finish; leases of jobs still running then simply expire.
     */
    public void stop(Duration grace) {
        stopping = true;
        stopSignal.countDown();
        running.values().forEach(JobControl::shutDown);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        log.info("Worker {} stopped", id);
    }

    /**
     * Stops this worker the way a crash would: no more claims, no more heartbeats, nothing written. The job it
     * runs carries on unobserved, and its lease expires. For tests of lease expiry.
     */
    public void halt() {
        halted = true;
        stopSignal.countDown();
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        log.warn("Worker {} halted", id);
    }

    /**
     * Stops this worker the way a killed process would: {@link #halt()}, and its jobs' threads end at their next
     * unit of work as if their lease were gone, writing nothing. Unlike a halt, a job cannot outrun its expiring
     * lease and finish, so tests of a take-over do not depend on how fast the machine is.
     */
    public void crash() {
        halt();
        running.values().forEach(control -> control.update(LeaseState.LOST));
    }

    /** The jobs this worker is running now. */
    public Set<UUID> runningJobs() {
        return Set.copyOf(running.keySet());
    }

    /** Whether every thread is alive and the heartbeat has run recently. */
    public boolean healthy() {
        boolean threadsAlive = !threads.isEmpty() && threads.stream().allMatch(Thread::isAlive);
        Duration sinceHeartbeat = Duration.between(lastHeartbeat, Instant.now());
        return !halted && !stopping && threadsAlive && sinceHeartbeat.compareTo(settings.heartbeat().multipliedBy(3)) < 0;
    }

    public Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    private void claimLoop() {
        MDC.put("workerId", id);
        while (!stopping && !halted) {
            Optional<Claim> claim;
            try {
                claim = queue.claim(id, settings.lease());
            } catch (RuntimeException e) {
                log.warn("Worker {} could not claim a job: {}", id, e.getMessage());
                idle(settings.pollInterval().multipliedBy(4));
                continue;
            }
            if (claim.isEmpty()) {
                idle(settings.pollInterval());
                continue;
            }
            if (halted) {
                return; // as if it crashed right after claiming
            }
            claimLatency.record(claim.get().queueWait());
            JobControl control = new JobControl(claim.get().lease());
            running.put(control.lease().jobId(), control);
            try {
                runner.run(control);
            } finally {
                running.remove(control.lease().jobId());
            }
        }
    }

    private void renewLeases() {
        if (halted) {
            return;
        }
        for (JobControl control : running.values()) {
            try {
                control.update(queue.renew(control.lease(), settings.lease()));
            } catch (RuntimeException e) {
                log.warn("Worker {} could not renew the lease of job {}: {}", id, control.lease().jobId(), e.getMessage());
            }
        }
        lastHeartbeat = Instant.now();
    }

    private void idle(Duration wait) {
        try {
            stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }
}
