package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexIsVisitedExactlyOnceForAnyChunking() {
        for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000, 12345}) {
            for (int chunk : new int[] {1, 3, 64, 5000}) {
                AtomicIntegerArray visits = new AtomicIntegerArray(n);
                Parallel.forChunks(n, chunk, (start, end) -> {
                    assertThat(end - start).isBetween(1, chunk);
                    for (int i = start; i < end; i++) {
                        visits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(visits.get(i)).as("n=%d chunk=%d index %d", n, chunk, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void forRangeGivesEachThreadOneContiguousShare() {
        AtomicIntegerArray visits = new AtomicIntegerArray(101);
        Parallel.forRange(101, (start, end) -> {
            assertThat(end - start).isLessThanOrEqualTo((101 + Parallel.threads() - 1) / Parallel.threads());
            for (int i = start; i < end; i++) {
                visits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 101; i++) {
            assertThat(visits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void nestedCallsRunOnTheCallerWithoutDeadlock() {
        AtomicIntegerArray visits = new AtomicIntegerArray(16 * 16);
        Parallel.forChunks(16, 1, (a, b) -> Parallel.forChunks(16, 1, (c, d) -> {
            for (int i = c; i < d; i++) {
                visits.incrementAndGet(a * 16 + i);
            }
        }));
        for (int i = 0; i < 256; i++) {
            assertThat(visits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void forEachRunsEveryTaskOnceWithAScratchNoOtherTaskUsesMeanwhile() {
        int n = 200;
        AtomicIntegerArray visits = new AtomicIntegerArray(n);
        java.util.concurrent.atomic.AtomicInteger scratches = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forEach(n, () -> {
            scratches.incrementAndGet();
            return new java.util.concurrent.atomic.AtomicBoolean();
        }, (inUse, task) -> {
            assertThat(inUse.getAndSet(true)).as("scratch taken by another task").isFalse();
            visits.incrementAndGet(task);
            // a kernel inside a task runs on the task's thread alone
            Thread self = Thread.currentThread();
            Parallel.forChunks(8, 1, (c, d) -> assertThat(Thread.currentThread()).isSameAs(self));
            inUse.set(false);
        });
        for (int i = 0; i < n; i++) {
            assertThat(visits.get(i)).isEqualTo(1);
        }
        assertThat(scratches.get()).as("one scratch per thread at most").isBetween(1, Parallel.threads());
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        assertThatThrownBy(() -> Parallel.forChunks(100, 1, (start, end) -> {
            if (start == 77) {
                throw new IllegalStateException("chunk 77 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 77 failed");
        // and the pool still works afterwards
        AtomicIntegerArray visits = new AtomicIntegerArray(10);
        Parallel.forChunks(10, 1, (start, end) -> visits.incrementAndGet(start));
        assertThat(visits.get(9)).isEqualTo(1);
    }

    @Test
    void concurrentCallersEachGetAllTheirWorkDone() throws InterruptedException {
        AtomicIntegerArray visits = new AtomicIntegerArray(4 * 1000);
        Thread[] callers = new Thread[4];
        for (int t = 0; t < callers.length; t++) {
            int base = t * 1000;
            callers[t] = new Thread(() -> {
                for (int rep = 0; rep < 50; rep++) {
                    Parallel.forChunks(1000, 7, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            visits.incrementAndGet(base + i);
                        }
                    });
                }
            });
            callers[t].start();
        }
        for (Thread caller : callers) {
            caller.join();
        }
        for (int i = 0; i < 4000; i++) {
            assertThat(visits.get(i)).isEqualTo(50);
        }
    }
}
