package dev.whittle.engine.eval.task;

import dev.whittle.engine.eval.data.TaskDataFormat;
import dev.whittle.engine.eval.metric.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TaskDefinitionsTest {

    private static final String USER_TASK = """
            {
              "name": "capitals",
              "dataset": {"format": "jsonl", "path": "capitals/{split}.jsonl"},
              "prompt": {"text": "Q: What is the capital of {country}?\\nA:"},
              "fewshot": {"k": 3, "split": "train", "sampler": "random", "seed": 7},
              "request": {"type": "generate_until", "answerField": "capital", "aliasesField": "other_names", "until": ["\\n", "."]},
              "metrics": ["exact_match", "f1"]
            }
            """;

    @Test
    void aMinimalTaskGetsEveryDefaultFilledIn() {
        TaskDefinition t = TaskDefinitions.parse(USER_TASK, "capitals.json");

        assertThat(t.version()).isEqualTo(1);
        assertThat(t.dataset().format()).isEqualTo(TaskDataFormat.JSONL);
        assertThat(t.dataset().split()).isEqualTo("test");
        assertThat(t.prompt().description()).isEmpty();
        assertThat(t.prompt().targetDelimiter()).isEqualTo(" ");
        assertThat(t.fewshot()).isEqualTo(new FewShotSpec(3, "train", FewShotSampler.RANDOM, 7, "\n\n", false));
        assertThat(t.request().maxTokens()).isEqualTo(32);
        assertThat(t.request().until()).containsExactly("\n", ".");
        assertThat(t.primaryMetric()).isEqualTo(Metric.EXACT_MATCH);
    }

    @Test
    void aTaskWrittenAndReadBackIsEqualAndEveryBuiltInRoundTrips() {
        TaskDefinition t = TaskDefinitions.parse(USER_TASK, "capitals.json");
        String written = TaskDefinitions.write(t);

        assertThat(written).contains("\"type\" : \"generate_until\"", "\"metrics\" : [ \"exact_match\", \"f1\" ]");
        assertThat(TaskDefinitions.parse(written, "written")).isEqualTo(t);
        for (TaskDefinition builtIn : TaskRegistry.builtIn().tasks()) {
            assertThat(TaskDefinitions.parse(TaskDefinitions.write(builtIn), builtIn.name())).isEqualTo(builtIn);
        }
    }

    @Test
    void metricsDefaultToAllOfTheRequestType() {
        TaskDefinition t = TaskDefinitions.parse("""
                {"name": "ppl", "dataset": {"format": "text", "path": "a.txt"}, "request": {"type": "rolling_perplexity"}}
                """, "ppl.json");
        assertThat(t.metrics()).containsExactly(Metric.TOKEN_PERPLEXITY, Metric.WORD_PERPLEXITY, Metric.BITS_PER_BYTE);
        assertThat(t.request().textField()).isEqualTo("text");
        assertThat(t.prompt()).isNull();
    }

    @Test
    void everyProblemIsReportedAtOnceNamingItsField() {
        TaskDefinitionException e = catchThrowableOfType(TaskDefinitionException.class, () -> TaskDefinitions.parse("""
                {
                  "name": "Bad Name",
                  "version": 0,
                  "dataset": {"format": "parquet", "path": "x", "subsets": ["a"]},
                  "prompt": {"text": "{question"},
                  "fewshot": {"k": "five", "shots": 2},
                  "request": {"type": "loglikelihood", "choices": ["A", "B"], "choicesField": "choices", "maxTokens": 3},
                  "metrics": ["acc", "f1", "bleu", "acc"]
                }
                """, "bad.json"));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "name: 'Bad Name' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
                "version: must be a positive whole number, got 0",
                "dataset.format: unknown format 'parquet' (known: jsonl, text, mmlu-csv, freebaseqa, triviaqa-json)",
                "request.maxTokens: does not apply to loglikelihood (its fields: type, choices, choicesField, goldField)",
                "request.choices: give either choices (a list of templates) or choicesField (a list field), not both",
                "request.goldField: required",
                "prompt.text: '{' at character 0 is never closed (write {{ for a literal brace)",
                "fewshot.shots: unknown field (known here: k, split, sampler, seed, separator, sameGroup)",
                "fewshot.k: expected a whole number, got \"five\"",
                "metrics: metric 'f1' does not apply to loglikelihood (for loglikelihood: acc, acc_norm)",
                "metrics: unknown metric 'bleu' (for loglikelihood: acc, acc_norm)",
                "metrics: 'acc' is listed twice");
        assertThat(e.getMessage()).startsWith("bad.json (task 'Bad Name'): 12 problems:\n  - ");
    }

    @Test
    void requestTypesRefuseSettingsThatDoNotApplyToThem() {
        assertThat(problems("""
                {"name": "p", "dataset": {"format": "text", "path": "a.txt"}, "prompt": {"text": "x"},
                 "fewshot": {"k": 1}, "groupBy": "topic", "request": {"type": "rolling_perplexity", "seqlen": 8, "stride": 9}}
                """)).containsExactlyInAnyOrder(
                "request.stride: must be in [1, seqlen], got 9",
                "prompt: does not apply to rolling_perplexity (texts are scored as they are)",
                "fewshot.k: rolling_perplexity scores texts as they are: no few-shot examples",
                "groupBy: does not apply to rolling_perplexity");
        assertThat(problems("""
                {"name": "g", "dataset": {"format": "jsonl", "path": "a.jsonl"},
                 "fewshot": {"sameGroup": true, "sampler": "best"},
                 "request": {"type": "generate_until", "answerField": "a", "until": [""], "maxTokens": 0}}
                """)).containsExactlyInAnyOrder(
                "prompt: required for generate_until",
                "fewshot.sampler: unknown sampler 'best' (known: first, random)",
                "fewshot.sameGroup: needs the task's groupBy (the field that defines a group)",
                "request.until[0]: a stop string must not be empty",
                "request.maxTokens: must be in [1, 4096], got 0");
    }

    @Test
    void aSpeculativeTaskDraftsForKOneToEightByDefaultAndRefusesBadDraftLengths() {
        TaskDefinition t = TaskDefinitions.parse("""
                {"name": "s", "dataset": {"format": "jsonl", "path": "a.jsonl"}, "prompt": {"text": "{p}"},
                 "request": {"type": "speculative"}}
                """, "s.json");
        assertThat(t.request().draftLengths()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(t.primaryMetric()).isEqualTo(Metric.MEAN_ACCEPTED_LENGTH);
        assertThat(t.metrics()).containsExactly(Metric.MEAN_ACCEPTED_LENGTH, Metric.ACCEPTANCE_RATE, Metric.SPEEDUP);
        assertThat(TaskDefinitions.parse(TaskDefinitions.write(t), "again")).isEqualTo(t);

        assertThat(problems("""
                {"name": "s", "dataset": {"format": "jsonl", "path": "a.jsonl"}, "prompt": {"text": "{p}"},
                 "fewshot": {"k": 1}, "metrics": ["f1"],
                 "request": {"type": "speculative", "answerField": "a", "draftLengths": [0, 2, 2, 33]}}
                """)).containsExactlyInAnyOrder(
                "request.answerField: does not apply to speculative (its fields: type, until, maxTokens, draftLengths)",
                "request.draftLengths[0]: must be in [1, 32], got 0",
                "request.draftLengths[2]: 2 is listed twice",
                "request.draftLengths[3]: must be in [1, 32], got 33",
                "fewshot.k: speculative prompts are the documents' own: no few-shot examples",
                "metrics: metric 'f1' does not apply to speculative (for speculative: mean_accepted_length, "
                        + "acceptance_rate, speedup)");
    }

    @Test
    void malformedJsonAndNonObjectsAreRefused() {
        assertThatThrownBy(() -> TaskDefinitions.parse("{\"name\": ", "t.json")).hasMessageStartingWith("t.json: not valid JSON");
        assertThatThrownBy(() -> TaskDefinitions.parse("[1]", "t.json")).hasMessage("t.json: a task definition is a JSON object");
    }

    private static List<String> problems(String json) {
        return catchThrowableOfType(TaskDefinitionException.class, () -> TaskDefinitions.parse(json, "t.json")).problems();
    }
}
