package dev.whittle.engine.eval.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tasks and suites that can be run by name: the built-ins (JSON resources under
 * {@code dev/whittle/engine/eval/tasks/}: {@code <name>.json} and {@code suites/<name>.json}, listed in its
 * {@code index.json}) plus tasks and suites added by users.
 * A user's task cannot take a built-in's name. Immutable: adding returns a new registry.
 */
public final class TaskRegistry {

    static final String ROOT = "dev/whittle/engine/eval/tasks/";

    private static final JsonMapper JSON = new JsonMapper();

    private static volatile TaskRegistry builtIn;

    private final Map<String, TaskDefinition> tasks;
    private final Map<String, SuiteDefinition> suites;
    private final TaskRegistry builtIns;

    private TaskRegistry(Map<String, TaskDefinition> tasks, Map<String, SuiteDefinition> suites, TaskRegistry builtIns) {
        this.tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        this.suites = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(suites));
        this.builtIns = builtIns == null ? this : builtIns;
    }

    /** The built-in tasks and suites (read once). */
    public static TaskRegistry builtIn() {
        TaskRegistry registry = builtIn;
        if (registry == null) {
            synchronized (TaskRegistry.class) {
                if (builtIn == null) {
                    builtIn = loadBuiltIns();
                }
                registry = builtIn;
            }
        }
        return registry;
    }

    /** This registry plus {@code task} (replacing a user task of the same name; a built-in's name is refused). */
    public TaskRegistry withTask(TaskDefinition task) {
        if (builtIns.tasks.containsKey(task.name()) || builtIns.suites.containsKey(task.name())) {
            throw new IllegalArgumentException("'" + task.name() + "' is the name of a built-in task or suite");
        }
        Map<String, TaskDefinition> all = new LinkedHashMap<>(tasks);
        all.put(task.name(), task);
        return new TaskRegistry(all, suites, builtIns);
    }

    /** This registry plus {@code suite}, whose tasks must all be known here. */
    public TaskRegistry withSuite(SuiteDefinition suite) {
        if (builtIns.tasks.containsKey(suite.name()) || builtIns.suites.containsKey(suite.name())
                || tasks.containsKey(suite.name())) {
            throw new IllegalArgumentException("'" + suite.name() + "' is already the name of a task or built-in suite");
        }
        checkSuite(suite, tasks);
        Map<String, SuiteDefinition> all = new LinkedHashMap<>(suites);
        all.put(suite.name(), suite);
        return new TaskRegistry(tasks, all, builtIns);
    }

    public boolean isBuiltIn(String name) {
        return builtIns.tasks.containsKey(name) || builtIns.suites.containsKey(name);
    }

    public boolean hasTask(String name) {
        return tasks.containsKey(name);
    }

    public boolean hasSuite(String name) {
        return suites.containsKey(name);
    }

    public TaskDefinition task(String name) {
        TaskDefinition task = tasks.get(name);
        if (task == null) {
            throw new IllegalArgumentException("unknown task '" + name + "' (known: " + String.join(", ", tasks.keySet()) + ")");
        }
        return task;
    }

    public SuiteDefinition suite(String name) {
        SuiteDefinition suite = suites.get(name);
        if (suite == null) {
            throw new IllegalArgumentException("unknown suite '" + name + "' (known: " + String.join(", ", suites.keySet()) + ")");
        }
        return suite;
    }

    public Collection<TaskDefinition> tasks() {
        return tasks.values();
    }

    public Collection<SuiteDefinition> suites() {
        return suites.values();
    }

    private static void checkSuite(SuiteDefinition suite, Map<String, TaskDefinition> tasks) {
        List<String> problems = new ArrayList<>();
        for (SuiteDefinition.Entry entry : suite.tasks()) {
            if (!tasks.containsKey(entry.task())) {
                problems.add("tasks: unknown task '" + entry.task() + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new TaskDefinitionException("suite '" + suite.name() + "'", problems);
        }
    }

    private static TaskRegistry loadBuiltIns() {
        JsonNode index = JSON.readTree(resource("index.json"));
        Map<String, TaskDefinition> tasks = new LinkedHashMap<>();
        for (JsonNode name : index.path("tasks")) {
            String file = name.asString() + ".json";
            TaskDefinition task = TaskDefinitions.parse(resource(file), ROOT + file);
            if (!task.name().equals(name.asString())) {
                throw new IllegalStateException(ROOT + file + ": names the task '" + task.name() + "'");
            }
            tasks.put(task.name(), task);
        }
        Map<String, SuiteDefinition> suites = new LinkedHashMap<>();
        for (JsonNode name : index.path("suites")) {
            String file = "suites/" + name.asString() + ".json";
            SuiteDefinition suite = SuiteDefinition.parse(resource(file), ROOT + file);
            checkSuite(suite, tasks);
            suites.put(suite.name(), suite);
        }
        return new TaskRegistry(tasks, suites, null);
    }

    private static String resource(String name) {
        try (InputStream in = TaskRegistry.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("built-in task resource missing: " + ROOT + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
