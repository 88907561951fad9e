package dev.whittle.worker.prune;

import dev.whittle.engine.Progress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PruneProgressTest {

    @Test
    void theJobSeesBlocksAsUnitsWithLoadingBeforeAndOnlyTheEndOfWritingAfter() {
        List<String> seen = new ArrayList<>();
        Progress job = (stage, done, total, message) -> seen.add(stage + " " + done + "/" + total);
        PruneProgress progress = new PruneProgress(job);
        progress.report("load", 1, 2, null);
        progress.report("load", 2, 2, null);
        progress.report("prune", 1, 2, "block 0");
        progress.report("prune", 2, 2, "block 1");
        progress.report("write", 100, 300, "a tensor");
        progress.report("write", 300, 300, "the last tensor");
        assertThat(seen).containsExactly("load 0/0", "load 0/0", "prune 1/2", "prune 2/2", "write 2/2");
    }
}
