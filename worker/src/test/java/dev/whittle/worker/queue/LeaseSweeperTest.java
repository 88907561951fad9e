package dev.whittle.worker.queue;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;

import dev.whittle.persistence.job.JobQueue;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.CannotCreateTransactionException;

/** The sweeper after an outage: nothing taken back until the workers have had a lease to renew theirs. */
class LeaseSweeperTest {

    private static WorkerProperties lease(Duration lease) {
        return new WorkerProperties(true, 1, lease, lease.dividedBy(10), Duration.ofMillis(50), Duration.ofMillis(50), 3,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), null);
    }

    @Test
    void takesNothingBackForOneLeaseAfterTheDatabaseAnswersAgain() throws Exception {
        JobQueue queue = mock(JobQueue.class);
        Duration lease = Duration.ofMillis(300);
        LeaseSweeper sweeper = new LeaseSweeper(queue, lease(lease));
        Thread.sleep(lease.toMillis() + 50); // past the quiet lease of the process's own start
        when(queue.expireLeases(anyInt(), any())).thenThrow(new CannotCreateTransactionException("Connection refused"));
        sweeper.sweep(); // the database is away
        doThrow(new CannotCreateTransactionException("Connection refused")).when(queue).ping();
        sweeper.sweep(); // still away: only the probe runs
        verify(queue, times(1)).expireLeases(anyInt(), any());

        reset(queue);
        when(queue.expireLeases(anyInt(), any())).thenReturn(List.of());
        sweeper.sweep(); // back: the probe answers, and the quiet lease starts now
        sweeper.sweep();
        verify(queue, times(1)).ping();
        verify(queue, never()).expireLeases(anyInt(), any());

        Thread.sleep(lease.toMillis() + 50);
        sweeper.sweep();
        verify(queue, times(1)).expireLeases(anyInt(), any());
    }

    @Test
    void otherErrorsDoNotPauseTheSweeps() throws Exception {
        JobQueue queue = mock(JobQueue.class);
        Duration lease = Duration.ofMillis(100);
        LeaseSweeper sweeper = new LeaseSweeper(queue, lease(lease));
        Thread.sleep(lease.toMillis() + 50);
        when(queue.expireLeases(anyInt(), any())).thenThrow(new IllegalStateException("a bug")).thenReturn(List.of());
        sweeper.sweep();
        sweeper.sweep();
        verify(queue, never()).ping();
        verify(queue, times(2)).expireLeases(anyInt(), any());
    }
}
