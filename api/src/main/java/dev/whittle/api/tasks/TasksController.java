package dev.whittle.api.tasks;

import java.net.URI;
import java.util.List;

import dev.whittle.engine.eval.task.SuiteDefinition;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskDefinitions;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.worker.evaluate.RegisteredTasks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import dev.whittle.api.problems.ApiException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Tasks", description = "Evaluation tasks (datasets, prompts, metrics as JSON) and suites")
public class TasksController {

    private final RegisteredTasks registeredTasks;

    public TasksController(RegisteredTasks registeredTasks) {
        this.registeredTasks = registeredTasks;
    }

    @Operation(operationId = "listTasks", summary = "List tasks", description = "The built-in tasks, then the registered ones.")
    @GetMapping("/tasks")
    public List<TaskView> list() {
        TaskRegistry registry = registeredTasks.registry();
        return registry.tasks().stream().map(t -> TaskView.of(t, registry.isBuiltIn(t.name()))).toList();
    }

    @Operation(operationId = "getTask", summary = "Get a task's definition", description = "The full JSON definition, every default written out.")
    @GetMapping("/tasks/{name}")
    public JsonNode get(@PathVariable String name) {
        TaskRegistry registry = registeredTasks.registry();
        if (!registry.hasTask(name)) {
            throw ApiException.notFound("Task '" + name + "'");
        }
        return TaskDefinitions.toJson(registry.task(name));
    }

    @Operation(operationId = "registerTask", summary = "Register a task", description = """
            A task as data, in the manner of lm-evaluation-harness: dataset (format jsonl, text, mmlu-csv,
            freebaseqa or triviaqa-json; a path inside the first data root, {split} replaced by the split, or
            builtin:...), prompt templates ({field}, {field[0]}), few-shot settings, request type (loglikelihood,
            generate_until, rolling_perplexity) and metrics (acc, acc_norm, exact_match, lenient_match, f1,
            token_perplexity, word_perplexity, bits_per_byte; the first is the headline). Every problem is reported at
            its field.""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    examples = @ExampleObject(value = """
                            {"name": "capitals", "dataset": {"format": "jsonl", "path": "capitals.jsonl"},
                             "prompt": {"text": "Q: What is the capital of {country}?\\nA:"},
                             "request": {"type": "generate_until", "answerField": "capital", "until": ["\\n"]},
                             "metrics": ["exact_match", "f1"]}"""))))
    @ApiResponse(responseCode = "201", description = "Registered")
    @ApiResponse(responseCode = "409", description = "The name is taken", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "422", description = "Not a valid task", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(value = "/tasks", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<JsonNode> register(@RequestBody JsonNode body) {
        TaskDefinition task = registeredTasks.register(body);
        return ResponseEntity.created(URI.create("/api/v1/tasks/" + task.name())).body(TaskDefinitions.toJson(task));
    }

    @Operation(operationId = "listSuites", summary = "List suites", description = "Named lists of tasks with a sample limit each (kick: the LLM-KICK set).")
    @GetMapping("/suites")
    public List<SuiteDefinition> suites() {
        return List.copyOf(registeredTasks.registry().suites());
    }
}
