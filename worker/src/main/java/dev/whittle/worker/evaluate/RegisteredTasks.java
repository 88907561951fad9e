package dev.whittle.worker.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskDefinitionException;
import dev.whittle.engine.eval.task.TaskDefinitions;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.persistence.evaluation.EvaluationTask;
import dev.whittle.persistence.evaluation.EvaluationTasks;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.worker.models.DuplicateNameException;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The evaluation tasks the service knows: the engine's built-ins and the tasks users registered (stored as their
 * JSON definitions). A user task's dataset path is relative to the first data root and may not leave it.
 */
@Component
public class RegisteredTasks {

    private final EvaluationTasks tasks;
    private final StorageRoots storage;

    public RegisteredTasks(EvaluationTasks tasks, StorageRoots storage) {
        this.tasks = tasks;
        this.storage = storage;
    }

    /**
     * Built-ins and registered tasks, as they are now: the tasks of the current thread's team and the shared ones
     * ({@link TeamScope}), its own where both have a name. Built-in tasks are every team's, and read-only.
     */
    public TaskRegistry registry() {
        TaskRegistry registry = TaskRegistry.builtIn();
        // Farthest first: a nearer task of the same name replaces it.
        List<EvaluationTask> visible = tasks.findAll().stream().filter(t -> TeamScope.sees(t.getOwnerTeam()))
                .sorted(Comparator.comparingInt((EvaluationTask t) -> TeamScope.nearness(t.getOwnerTeam())).reversed())
                .toList();
        for (EvaluationTask stored : visible) {
            registry = registry.withTask(TaskDefinitions.parse(stored.getDefinition(), "registered task " + stored.getName()));
        }
        return registry;
    }

    /** Where the datasets of tasks are read: built-in data, and files inside the first data root. */
    public DatasetResolver datasets() {
        return DatasetResolver.confinedTo(storage.dataRoots().getFirst());
    }

    /**
     * Checks and stores a user's task definition. Throws {@link InvalidRequestException} with every problem at its
     * field, or {@link DuplicateNameException} for a name in use (built-in or registered).
     */
    public TaskDefinition register(JsonNode definition) {
        TaskDefinition task;
        try {
            task = TaskDefinitions.parse(definition, "task definition");
        } catch (TaskDefinitionException e) {
            throw new InvalidRequestException(fieldProblems(e.problems()));
        }
        if (TaskRegistry.builtIn().isBuiltIn(task.name()) || tasks.existsByOwnerTeamAndName(TeamScope.owner(), task.name())) {
            throw new DuplicateNameException("A task or suite named '" + task.name() + "' already exists");
        }
        try {
            // Built-in paths too: builtin:../../META-INF/MANIFEST.MF is no dataset.
            datasets().resolve(task.dataset().path());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("dataset.path", e.getMessage());
        }
        try {
            tasks.saveAndFlush(new EvaluationTask(task.name(), task.version(), TaskDefinitions.toJson(task)));
        } catch (DataIntegrityViolationException e) {
            throw new DuplicateNameException("A task named '" + task.name() + "' already exists");
        }
        return task;
    }

    /** "field: message" problems of the engine as field problems. */
    static List<FieldProblem> fieldProblems(List<String> problems) {
        List<FieldProblem> out = new ArrayList<>();
        for (String problem : problems) {
            int colon = problem.indexOf(": ");
            out.add(colon < 0 ? new FieldProblem("$", problem)
                    : new FieldProblem(problem.substring(0, colon), problem.substring(colon + 2)));
        }
        return out;
    }
}
