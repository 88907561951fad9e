package dev.whittle.engine.eval.task;

import dev.whittle.engine.eval.metric.Metric;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskRegistryTest {

    private static final String USER_TASK = """
            {"name": "mine", "dataset": {"format": "jsonl", "path": "m.jsonl"}, "prompt": {"text": "{q}"},
             "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}}
            """;

    @Test
    void theBuiltInsAreTheLlmKickTasksAndTheReferenceSetsAndKickRunsThemAllWithLimits() {
        TaskRegistry registry = TaskRegistry.builtIn();

        assertThat(registry.tasks()).extracting(TaskDefinition::name).containsExactly("wikitext2-perplexity",
                "factoid-qa", "mcr-qa", "icr-qa", "icr-qa-closed", "ref-closed-book-qa", "ref-multiple-choice", "ref-icr-qa",
                "ref-arithmetic", "ref-speculative");
        SuiteDefinition kick = registry.suite("kick");
        // kick scores the model alone: the speculative task, which needs a target, is not in it; nor is the MoE
        // reference's arithmetic domain, which the dense reference never learnt.
        assertThat(kick.tasks()).extracting(SuiteDefinition.Entry::task).containsExactlyElementsOf(registry.tasks()
                .stream().filter(t -> !t.requestType().needsTarget() && !t.name().equals("ref-arithmetic"))
                .map(TaskDefinition::name).toList());
        assertThat(kick.tasks()).allSatisfy(e -> assertThat(e.limit()).isPositive());
        TaskDefinition mmlu = registry.task("mcr-qa");
        assertThat(mmlu.fewshot().k()).isEqualTo(5);
        assertThat(mmlu.primaryMetric()).isEqualTo(Metric.ACC);
        assertThat(registry.task("factoid-qa").primaryMetric()).isEqualTo(Metric.LENIENT_MATCH);
        assertThat(registry.task("factoid-qa").prompt().text())
                .isEqualTo("Please give answer to this question: {question}\nThe answer is");
    }

    @Test
    void aUserTaskIsAddedButCannotTakeABuiltInName() {
        TaskDefinition mine = TaskDefinitions.parse(USER_TASK, "mine.json");
        TaskRegistry registry = TaskRegistry.builtIn().withTask(mine);

        assertThat(registry.task("mine")).isEqualTo(mine);
        assertThat(registry.isBuiltIn("mine")).isFalse();
        assertThat(TaskRegistry.builtIn().hasTask("mine")).isFalse();
        TaskDefinition clash = TaskDefinitions.parse(USER_TASK.replace("\"mine\"", "\"mcr-qa\""), "clash.json");
        assertThatThrownBy(() -> registry.withTask(clash)).hasMessageContaining("'mcr-qa' is the name of a built-in");
        assertThatThrownBy(() -> registry.task("nope")).hasMessageStartingWith("unknown task 'nope' (known: wikitext2-perplexity,");
    }

    @Test
    void aSuiteMayOnlyNameKnownTasks() {
        TaskRegistry registry = TaskRegistry.builtIn().withTask(TaskDefinitions.parse(USER_TASK, "mine.json"));
        SuiteDefinition quick = SuiteDefinition.parse("""
                {"name": "quick", "tasks": [{"task": "mine", "limit": 5}, {"task": "mcr-qa"}]}
                """, "quick.json");
        assertThat(registry.withSuite(quick).suite("quick").tasks().get(1).limit()).isNull();

        SuiteDefinition broken = SuiteDefinition.parse("""
                {"name": "broken", "tasks": [{"task": "missing"}]}
                """, "broken.json");
        assertThatThrownBy(() -> registry.withSuite(broken)).hasMessage("suite 'broken': tasks: unknown task 'missing'");
        assertThatThrownBy(() -> SuiteDefinition.parse("{\"name\": \"s\", \"tasks\": [{\"task\": \"mine\", \"limit\": 0}]}", "s.json"))
                .hasMessage("s.json: tasks[0].limit: must be positive (leave it out for all samples), got 0");
    }
}
