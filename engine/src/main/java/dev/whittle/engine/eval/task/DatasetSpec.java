package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whittle.engine.eval.data.TaskDataFormat;

import java.util.List;

/**
 * Where a task's documents come from.
 *
 * @param format  how the files are read
 * @param path    {@code builtin:<path>} or a file path; {@code {split}} in it is replaced by the split's name
 * @param split   the split evaluated
 * @param subsets the subsets to read (MMLU subjects); empty: all
 */
public record DatasetSpec(TaskDataFormat format, String path, String split,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> subsets) {

    public static final String DEFAULT_SPLIT = "test";

    public DatasetSpec {
        subsets = subsets == null ? List.of() : List.copyOf(subsets);
    }
}
