package dev.whittle.engine.eval.task;

import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.engine.testing.FuzzContract;

/**
 * A task definition (what a user registers) on arbitrary text: a {@link TaskDefinition} that writes back and parses
 * to itself, or a {@link TaskDefinitionException} listing the problems; never another exception.
 */
class TaskDefinitionsFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void anyDefinitionIsParsedOrRefusedWithItsProblems(byte[] input) {
        String json = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        FuzzContract.onlyThrows(() -> {
            TaskDefinition task = TaskDefinitions.parse(json, "fuzz");
            TaskDefinition again = TaskDefinitions.parse(TaskDefinitions.write(task), "written");
            if (!again.equals(task)) {
                throw new AssertionError("written and read again, " + task + " became " + again);
            }
        }, List.of(TaskDefinitionException.class));
    }
}
