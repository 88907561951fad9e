package dev.whittle.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import dev.whittle.persistence.job.Job;
import dev.whittle.worker.storage.StorageRoots;
import dev.whittle.worker.testing.TestJobs;
import dev.whittle.worker.testing.WorkerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

@WorkerTest
class EndedWorkspacesTest {

    @Autowired
    EndedWorkspaces endedWorkspaces;
    @Autowired
    TestJobs testJobs;
    @Autowired
    StorageRoots storage;
    @Autowired
    JdbcClient jdbc;

    @Test
    void theFolderOfAJobEndedByTheSweeperGoesAndThoseOfLiveOrUnknownJobsStay() throws Exception {
        Job ended = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\"}]");
        Job queued = testJobs.submit(testJobs.model(), "[{\"type\":\"HOLD\"}]");
        // What the lease sweeper leaves when the last attempt's worker died: FAILED, its folder still there.
        jdbc.sql("update job set status = 'FAILED', error_code = 'LEASE_EXPIRED', finished_at = now() where id = :id")
                .param("id", ended.getId()).update();
        Path endedFolder = folderWithAFile(ended.getId());
        Path queuedFolder = folderWithAFile(queued.getId());
        Path otherDatabasesFolder = folderWithAFile(UUID.randomUUID()); // the work folder may be shared

        endedWorkspaces.removeEnded();

        assertThat(endedFolder).doesNotExist();
        assertThat(queuedFolder).exists();
        assertThat(otherDatabasesFolder).exists();
    }

    private Path folderWithAFile(UUID jobId) throws Exception {
        Path folder = storage.workspace(jobId);
        Files.createDirectories(folder.resolve("stage-0-attempt-1"));
        Files.writeString(folder.resolve("stage-0-attempt-1/scratch.bin"), "partial");
        return folder;
    }
}
