package dev.whittle.engine.prune;

import java.util.List;
import java.util.stream.Collectors;

/** A pruning request that cannot run, with every problem found, each naming its field. */
public final class PruneProblemException extends IllegalArgumentException {

    private final List<PruneProblem> problems;

    public PruneProblemException(List<PruneProblem> problems) {
        super(problems.stream().map(PruneProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a problem exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public PruneProblemException(PruneProblem problem) {
        this(List.of(problem));
    }

    public List<PruneProblem> problems() {
        return problems;
    }
}
