package dev.whittle.engine.eval.task;

import java.util.List;

/** A task or suite definition that cannot be used; {@link #problems()} lists every problem found, each naming its field. */
public final class TaskDefinitionException extends IllegalArgumentException {

    private final List<String> problems;

    public TaskDefinitionException(String source, List<String> problems) {
        super(source + ": " + (problems.size() == 1 ? problems.getFirst()
                : problems.size() + " problems:\n  - " + String.join("\n  - ", problems)));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
