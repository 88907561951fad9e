package dev.whittle.worker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.whittle.persistence.job.JobQueue;
import dev.whittle.worker.storage.StorageRoots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes the working folders of jobs that have ended. An attempt removes its own folder when it records the
 * job's end; this catches the ends it could not see: a lease that expired on the last attempt (the worker was
 * killed, or the database was away when the end was to be written), a cancel swept from a dead worker. Only
 * folders of jobs this database knows to be ended are touched: the folder of a running job, or of a job of
 * another database sharing the work folder, stays.
 */
@Component
public class EndedWorkspaces {

    private static final Logger log = LoggerFactory.getLogger(EndedWorkspaces.class);
    private static final int BATCH = 500;

    private final JobQueue queue;
    private final StorageRoots storage;

    EndedWorkspaces(JobQueue queue, StorageRoots storage) {
        this.queue = queue;
        this.storage = storage;
    }

    @Scheduled(fixedDelayString = "${whittle.worker.workspace-sweep-interval:60s}",
            initialDelayString = "${whittle.worker.workspace-sweep-interval:60s}")
    public void sweep() {
        try {
            removeEnded();
        } catch (RuntimeException e) {
            log.warn("Could not remove the folders of ended jobs: {}", e.getMessage());
        }
    }

    /** Removes the folders of ended jobs now; returns how many. */
    public int removeEnded() {
        Path root = storage.workRoot();
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Map<UUID, Path> folders = new HashMap<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.forEach(p -> {
                try {
                    folders.put(UUID.fromString(p.getFileName().toString()), p);
                } catch (IllegalArgumentException notAJobFolder) {
                    // not ours
                }
            });
        } catch (IOException e) {
            log.warn("Could not list {}: {}", root, e.getMessage());
            return 0;
        }
        List<UUID> ids = new ArrayList<>(folders.keySet());
        int removed = 0;
        for (int from = 0; from < ids.size(); from += BATCH) {
            for (UUID ended : queue.ended(ids.subList(from, Math.min(ids.size(), from + BATCH)))) {
                log.info("Removing the working folder of ended job {}", ended);
                new Workspace(folders.get(ended)).delete();
                removed++;
            }
        }
        return removed;
    }
}
