package dev.whittle.engine.tensor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;

/**
 * Splits a range of work across a fixed set of worker threads and the calling thread, which always takes a share.
 * Workers spin briefly before parking, so back-to-back calls (one per layer) do not pay a wake-up each; a parked
 * pool alone woke too slowly and halved small products. The number of threads is the number of available
 * processors unless the system property {@code whittle.threads} says otherwise.
 * <p>
 * Calls made from inside a running body, or while another thread holds the pool, run on the caller alone, so
 * nesting and concurrent users are safe (never deadlock), just not parallel twice over.
 */
public final class Parallel {

    /** Work over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface IntRangeConsumer {
        void accept(int start, int end);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("whittle.threads",
            Runtime.getRuntime().availableProcessors()));
    /** How long an idle worker spins for the next job before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 200_000;

    private static final ReentrantLock OWNER = new ReentrantLock();
    private static final AtomicReference<Job> CURRENT = new AtomicReference<>();
    private static long jobs;
    private static final Thread[] WORKERS = startWorkers(THREADS - 1);

    private Parallel() {
    }

    /** The number of threads that share a job: the workers plus the caller. */
    public static int threads() {
        return THREADS;
    }

    /** Splits {@code [0, n)} into one contiguous chunk per thread. */
    public static void forRange(int n, IntRangeConsumer body) {
        forChunks(n, Math.max(1, (n + THREADS - 1) / THREADS), body);
    }

    /**
     * Splits {@code [0, n)} into chunks of {@code chunk} (the last may be shorter) that the threads claim one
     * at a time, which balances uneven work. Returns when every chunk is done; rethrows the first failure.
     */
    public static void forChunks(int n, int chunk, IntRangeConsumer body) {
        if (n <= 0) {
            return;
        }
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk must be positive, got " + chunk);
        }
        int chunks = (int) (((long) n + chunk - 1) / chunk);
        if (chunks == 1 || WORKERS.length == 0 || OWNER.isHeldByCurrentThread() || isWorker() || !OWNER.tryLock()) {
            body.accept(0, n);
            return;
        }
        try {
            Job job = new Job(++jobs, n, chunk, chunks, body);
            CURRENT.set(job);
            for (Thread worker : WORKERS) {
                LockSupport.unpark(worker);
            }
            job.work();
            job.awaitDone();
            CURRENT.set(null);
            if (job.failure.get() != null) {
                Throwable t = job.failure.get();
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(t);
            }
        } finally {
            OWNER.unlock();
        }
    }

    /**
     * Runs the independent tasks {@code 0 .. n-1}, claimed one at a time by the threads, each with a scratch object
     * of its thread's ({@code scratch} makes one per thread that takes part, reused for its later tasks). The
     * kernels a task calls run on its thread alone (nested calls do), so whole forwards of a small model run side by
     * side instead of each of their small products being split and joined.
     */
    public static <S> void forEach(int n, Supplier<S> scratch, ObjIntConsumer<S> task) {
        ConcurrentLinkedQueue<S> free = new ConcurrentLinkedQueue<>();
        forChunks(n, 1, (i0, i1) -> {
            S s = free.poll();
            if (s == null) {
                s = scratch.get();
            }
            try {
                for (int i = i0; i < i1; i++) {
                    task.accept(s, i);
                }
            } finally {
                free.add(s);
            }
        });
    }

    private static boolean isWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    private static Thread[] startWorkers(int count) {
        Thread[] workers = new Thread[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        return workers;
    }

    private static final class Job {
        final long id;
        final int n;
        final int chunk;
        final int chunks;
        final IntRangeConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The caller, once it sleeps in {@link #awaitDone}: whoever finishes the last chunk wakes it. */
        volatile Thread waiter;

        Job(long id, int n, int chunk, int chunks, IntRangeConsumer body) {
            this.id = id;
            this.n = n;
            this.chunk = chunk;
            this.chunks = chunks;
            this.body = body;
        }

        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int start = c * chunk;
                try {
                    if (failure.get() == null) {
                        body.accept(start, Math.min(n, start + chunk));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (finished.incrementAndGet() == chunks) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }

        void awaitDone() {
            for (int spins = 0; finished.get() < chunks; spins++) {
                if (spins < 10_000) {
                    Thread.onSpinWait();
                } else if (spins < 10_100) {
                    Thread.yield();
                } else {
                    // A long chunk (a whole forward, from forEach) is still running elsewhere: sleep until the
                    // last one ends rather than yield in a loop, which burns the core when nothing else wants it.
                    waiter = Thread.currentThread();
                    if (finished.get() < chunks) {
                        LockSupport.parkNanos(this, 1_000_000);
                    }
                }
            }
        }
    }

    private static final class Worker extends Thread {
        Worker(int index) {
            super("whittle-parallel-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0; // the id, not the job: a finished job's arrays must not stay reachable from here
            long idleSince = System.nanoTime();
            while (true) {
                Job job = CURRENT.get();
                if (job != null && job.id != last) {
                    last = job.id;
                    job.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }
}
