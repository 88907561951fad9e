package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A named list of tasks, each with the number of samples a quick run takes ({@code limit}; null: all), as the
 * {@code kick} suite: {@code {"name": "kick", "tasks": [{"task": "factoid-qa", "limit": 200}, ...]}}.
 */
public record SuiteDefinition(String name, String description, List<Entry> tasks) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String task, Integer limit) {
    }

    private static final JsonMapper JSON = new JsonMapper();

    public SuiteDefinition {
        tasks = List.copyOf(tasks);
    }

    /** Parses a suite; the tasks it names are checked against a registry when it is registered. */
    public static SuiteDefinition parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new TaskDefinitionException(source, List.of("not valid JSON: " + e.getOriginalMessage()));
        }
        if (!root.isObject()) {
            throw new TaskDefinitionException(source, List.of("a suite definition is a JSON object"));
        }
        List<String> problems = new ArrayList<>();
        JsonObject top = new JsonObject(root, "", TaskDefinitions.fields("name", "description", "tasks"), problems);
        String name = top.string("name", null, true);
        if (name != null && !TaskDefinitions.NAME.matcher(name).matches()) {
            top.problem("name", "'" + name + "' must be 1-64 of a-z, 0-9, '.', '_', '-'");
        }
        String description = top.string("description", "", false);
        List<JsonObject> items = top.objects("tasks", Set.of("task", "limit"));
        List<Entry> entries = new ArrayList<>();
        if (items == null || items.isEmpty()) {
            top.problem("tasks", "a suite lists at least one task");
        } else {
            for (JsonObject item : items) {
                String task = item.string("task", null, true);
                Integer limit = item.integer("limit", null);
                if (limit != null && limit < 1) {
                    item.problem("limit", "must be positive (leave it out for all samples), got " + limit);
                }
                entries.add(new Entry(task, limit));
            }
        }
        if (!problems.isEmpty()) {
            throw new TaskDefinitionException(source, problems);
        }
        return new SuiteDefinition(name, description, entries);
    }
}
