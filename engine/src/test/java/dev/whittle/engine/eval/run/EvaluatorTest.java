package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.metric.AnswerMatch;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.eval.metric.PerplexityEstimate;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskDefinitions;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A tiny random model on each request type, every number checked against a direct computation: log-softmax in double
 * of the logits of one full forward per sequence, greedy decoding by re-running the whole sequence each step.
 */
class EvaluatorTest {

    private static final int VOCAB = 320;

    @TempDir
    static Path tmp;
    static Decoder decoder;
    static Tokenizer tokenizer;
    static Evaluator evaluator;

    @BeforeAll
    static void load() throws IOException {
        Path model = tmp.resolve("model");
        TestModels.write(model, Family.LLAMA, 11, TestModels.options());
        decoder = DecoderLoader.load(model, Progress.NONE);
        tokenizer = Tokenizer.load(model);
        evaluator = new Evaluator(decoder, tokenizer, DatasetResolver.relativeTo(tmp));
        Files.writeString(tmp.resolve("mc.jsonl"), """
                {"id": "q0", "question": "The fox jumps over the", "options": ["dog", "lazy dog", "sun"], "label": 1, "topic": "animals"}
                {"id": "q1", "question": "In the morning the farmer", "options": ["walks", "runs to the forest", "sleeps", "café"], "label": "sleeps", "topic": "farm"}
                {"id": "q2", "question": "The dog sleeps in the", "options": ["sun", "forest"], "label": 0, "topic": "animals"}
                {"id": "q3", "question": "The quick brown", "options": ["fox", "dog", "farmer"], "label": 0, "topic": "animals"}
                {"id": "q4", "question": "The farmer walks to", "options": ["the town", "the sun"], "label": 0, "topic": "farm"}
                """);
        Files.writeString(tmp.resolve("qa.jsonl"), """
                {"id": "g0", "q": "Who jumps over the dog?", "a": "the fox", "alt": ["a brown fox"]}
                {"id": "g1", "q": "Where does the dog sleep?", "a": "in the sun", "alt": []}
                {"id": "g2", "q": "Where does the farmer walk?", "a": "to the town"}
                """);
        Files.writeString(tmp.resolve("text.txt"), TestTokenizers.TRAINING_TEXT.repeat(2));
    }

    @Test
    void multipleChoiceScoresAreLogSoftmaxSumsOfTheFullForwardAndAccNormDividesByBytes() throws IOException {
        TaskDefinition task = task("""
                {"name": "mc", "dataset": {"format": "jsonl", "path": "mc.jsonl"}, "prompt": {"text": "Q: {question}\\nA:"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}}
                """);

        TaskResult result = evaluator.evaluate(task, new EvaluationSettings(0, null, 2, true), Progress.NONE);

        assertThat(result.samples()).isEqualTo(5);
        double[] acc = new double[5];
        double[] accNorm = new double[5];
        for (int i = 0; i < 5; i++) {
            SampleRecord r = result.records().get(i);
            assertThat(r.prompt()).startsWith("Q: ").endsWith("\nA:");
            // lm-evaluation-harness's split: prompt and choice encoded together, cut where the prompt's encoding ends.
            int contextLength = tokenizer.encode(r.prompt(), true).length;
            int best = 0;
            int bestNorm = 0;
            double[] expected = new double[r.choices().size()];
            double[] perByte = new double[r.choices().size()];
            for (int c = 0; c < r.choices().size(); c++) {
                ChoiceScore choice = r.choices().get(c);
                int[] whole = tokenizer.encode(r.prompt() + " " + choice.text(), true);
                expected[c] = sum(logProbs(Arrays.copyOf(whole, contextLength), Arrays.copyOfRange(whole, contextLength, whole.length)));
                perByte[c] = expected[c] / choice.text().getBytes(StandardCharsets.UTF_8).length;
                assertThat(choice.logLikelihood()).isCloseTo(expected[c], within(1e-3));
                assertThat(choice.bytes()).isEqualTo(choice.text().getBytes(StandardCharsets.UTF_8).length);
                best = expected[c] > expected[best] ? c : best;
                bestNorm = perByte[c] > perByte[bestNorm] ? c : bestNorm;
            }
            int gold = r.choices().stream().map(ChoiceScore::text).toList().indexOf(r.target());
            acc[i] = best == gold ? 1 : 0;
            accNorm[i] = bestNorm == gold ? 1 : 0;
            assertThat(r.predicted()).isEqualTo(best);
            assertThat(r.scores().get("acc")).isEqualTo(acc[i]);
            assertThat(r.scores().get("acc_norm")).isEqualTo(accNorm[i]);
            assertThat(r.correct()).isEqualTo(acc[i] == 1);
        }
        assertThat(result.records()).extracting(SampleRecord::target).containsExactly("lazy dog", "sleeps", "sun", "fox", "the town");
        assertThat(result.metric(Metric.ACC)).isEqualTo(MetricValue.mean(acc));
        assertThat(result.metric(Metric.ACC_NORM)).isEqualTo(MetricValue.mean(accNorm));
    }

    @Test
    void generationIsGreedyDecodingCutAtTheStopStringAndScoredAgainstEveryAcceptedAnswer() throws IOException {
        TaskDefinition task = task("""
                {"name": "qa", "dataset": {"format": "jsonl", "path": "qa.jsonl"}, "prompt": {"text": "Q: {q}\\nA:"},
                 "request": {"type": "generate_until", "answerField": "a", "aliasesField": "alt", "until": ["\\n", "."], "maxTokens": 7}}
                """);

        TaskResult result = evaluator.evaluate(task, EvaluationSettings.defaults(), Progress.NONE);

        double[] f1 = new double[3];
        for (int i = 0; i < 3; i++) {
            SampleRecord r = result.records().get(i);
            String expected = greedyText(tokenizer.encode(r.prompt(), true), 7, List.of("\n", "."));
            assertThat(r.output()).isEqualTo(expected);
            List<String> answers = new ArrayList<>(List.of(r.target()));
            answers.addAll(r.aliases());
            assertThat(r.scores().get("exact_match")).isEqualTo(AnswerMatch.exactMatch(expected, answers) ? 1.0 : 0.0);
            assertThat(r.scores().get("lenient_match")).isEqualTo(AnswerMatch.lenientMatch(expected, answers) ? 1.0 : 0.0);
            f1[i] = AnswerMatch.f1(expected, answers);
            assertThat(r.scores().get("f1")).isEqualTo(f1[i]);
        }
        assertThat(result.records().getFirst().aliases()).containsExactly("a brown fox");
        assertThat(result.records()).extracting(SampleRecord::output).anySatisfy(o -> assertThat(o).isNotBlank());
        assertThat(result.metric(Metric.F1)).isEqualTo(MetricValue.mean(f1));
    }

    @Test
    void anOutputEqualToTheGoldAnswerIsAnExactMatch() throws IOException {
        TaskDefinition task = task("""
                {"name": "echo", "dataset": {"format": "jsonl", "path": "echo.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "generate_until", "answerField": "a", "maxTokens": 5, "until": ["\\n"]}}
                """);
        String output = greedyText(tokenizer.encode("The fox", true), 5, List.of("\n"));
        assertThat(AnswerMatch.exactMatch(output, List.of("zzz qqq"))).isFalse();
        assertThat(output).isNotBlank();
        Files.writeString(tmp.resolve("echo.jsonl"), "{\"q\": \"The fox\", \"a\": " + quote(output + " ") + "}\n"
                + "{\"q\": \"The fox\", \"a\": \"zzz qqq\"}\n");

        TaskResult result = evaluator.evaluate(task, EvaluationSettings.defaults(), Progress.NONE);

        assertThat(result.records()).extracting(SampleRecord::correct).containsExactly(true, false);
        assertThat(result.metric(Metric.EXACT_MATCH).value()).isEqualTo(0.5);
        assertThat(result.metric(Metric.EXACT_MATCH).stderr()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void rollingPerplexityPoolsWindowsWhoseNllIsSummedFromEachWindowsOwnLogits() throws IOException {
        TaskDefinition task = task("""
                {"name": "ppl", "dataset": {"format": "text", "path": "text.txt"},
                 "request": {"type": "rolling_perplexity", "seqlen": 48}}
                """);

        TaskResult result = evaluator.evaluate(task, EvaluationSettings.defaults(), Progress.NONE);

        int[] ids = tokenizer.encode(TestTokenizers.TRAINING_TEXT.repeat(2), true);
        int windows = (ids.length - 48) / 48 + 1;
        assertThat(result.samples()).isEqualTo(windows).isEqualTo(result.available());
        double[] nll = new double[windows];
        long[] tokens = new long[windows];
        for (int w = 0; w < windows; w++) {
            int[] window = Arrays.copyOfRange(ids, w * 48, (w + 1) * 48);
            nll[w] = -sum(logProbs(Arrays.copyOf(window, 1), Arrays.copyOfRange(window, 1, 48)));
            tokens[w] = 47;
            assertThat(result.records().get(w).scores().get("nll")).isCloseTo(nll[w], within(1e-3));
        }
        String covered = tokenizer.decode(Arrays.copyOf(ids, windows * 48), true);
        PerplexityEstimate expected = PerplexityEstimate.of(nll, tokens, covered.strip().split("\\s+").length,
                covered.getBytes(StandardCharsets.UTF_8).length);
        for (Metric m : List.of(Metric.TOKEN_PERPLEXITY, Metric.WORD_PERPLEXITY, Metric.BITS_PER_BYTE)) {
            assertThat(result.metric(m).value()).isCloseTo(expected.value(m).value(), within(1e-5 * expected.value(m).value()));
            assertThat(result.metric(m).stderr()).isCloseTo(expected.value(m).stderr(), within(1e-3 * expected.value(m).stderr()));
        }
        assertThat(result.details().get("seqlen")).isEqualTo(48);
        assertThat(evaluator.evaluate(task, EvaluationSettings.defaults().withLimit(2), Progress.NONE).samples()).isEqualTo(2);
    }

    @Test
    void aLimitTakesGroupsInTurnAndGroupsAreAveragedPerGroupAndMacro() throws IOException {
        TaskDefinition task = task("""
                {"name": "mc-groups", "dataset": {"format": "jsonl", "path": "mc.jsonl"}, "prompt": {"text": "Q: {question}\\nA:"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}, "groupBy": "topic"}
                """);

        TaskResult limited = evaluator.evaluate(task, EvaluationSettings.defaults().withLimit(3), Progress.NONE);
        TaskResult all = evaluator.evaluate(task, EvaluationSettings.defaults(), Progress.NONE);

        // Round-robin: animals' first (q0), farm's first (q1), animals' second (q2); in dataset order.
        assertThat(limited.records()).extracting(SampleRecord::docId).containsExactly("q0", "q1", "q2");
        assertThat(all.groups()).containsOnlyKeys("animals", "farm");
        double animals = all.records().stream().filter(r -> r.group().equals("animals")).mapToDouble(r -> r.scores().get("acc")).average().orElseThrow();
        double farm = all.records().stream().filter(r -> r.group().equals("farm")).mapToDouble(r -> r.scores().get("acc")).average().orElseThrow();
        assertThat(all.groups().get("animals").get("acc").value()).isCloseTo(animals, within(1e-12));
        assertThat(all.macro().get("acc").value()).isCloseTo((animals + farm) / 2, within(1e-12));
    }

    @Test
    void fewShotExamplesFromTheSameSplitNeverIncludeTheDocumentItself() throws IOException {
        TaskDefinition task = task("""
                {"name": "mc-shots", "dataset": {"format": "jsonl", "path": "mc.jsonl"},
                 "prompt": {"description": "Answer.\\n", "text": "Q: {question}\\nA:"},
                 "fewshot": {"k": 2, "separator": "\\n---\\n"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}}
                """);

        TaskResult result = evaluator.evaluate(task, EvaluationSettings.defaults().withLimit(2), Progress.NONE);

        assertThat(result.records().get(0).prompt()).isEqualTo("Answer.\nQ: In the morning the farmer\nA: sleeps\n---\n"
                + "Q: The dog sleeps in the\nA: sun\n---\nQ: The fox jumps over the\nA:");
        assertThat(result.records().get(1).prompt()).startsWith("Answer.\nQ: The fox jumps over the\nA: lazy dog\n---\n"
                + "Q: The dog sleeps in the\nA: sun\n---\n");
    }

    @Test
    void progressCountsSamplesWithRateAndEtaAndCancellationStopsBetweenBatches() throws IOException {
        TaskDefinition task = task("""
                {"name": "mc", "dataset": {"format": "jsonl", "path": "mc.jsonl"}, "prompt": {"text": "Q: {question}\\nA:"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}}
                """);
        List<String> reports = new ArrayList<>();
        Progress cancelling = new Progress() {
            @Override
            public void report(String stage, long done, long total, String message) {
                reports.add(stage + " " + done + "/" + total + " " + message);
            }

            @Override
            public boolean cancelRequested() {
                return reports.stream().anyMatch(r -> r.startsWith("evaluate 2/5"));
            }
        };

        assertThatThrownBy(() -> evaluator.evaluate(task, new EvaluationSettings(0, null, 2, true), cancelling))
                .isInstanceOf(Progress.Cancelled.class);
        assertThat(reports.getLast()).startsWith("evaluate 2/5 mc: ").contains("samples/s, ETA ");
    }

    @Test
    void aTemplateFieldTheDataLacksNamesTheTaskAndTheDocument() {
        TaskDefinition task = task("""
                {"name": "typo", "dataset": {"format": "jsonl", "path": "mc.jsonl"}, "prompt": {"text": "Q: {questoin}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "label"}}
                """);
        assertThatThrownBy(() -> evaluator.evaluate(task, EvaluationSettings.defaults(), Progress.NONE))
                .hasMessageStartingWith("task 'typo': document q0 has no field 'questoin' (it has: id, question, options, label, topic)");
    }

    private static TaskDefinition task(String json) {
        return TaskDefinitions.parse(json, "test task");
    }

    /** log p(continuation_j | context, continuation_<j) from the full sequence's logits, log-softmax in double. */
    static double[] logProbs(int[] context, int[] continuation) {
        int[] all = concat(context, continuation);
        float[] logits = decoder.logits(all);
        double[] out = new double[continuation.length];
        for (int j = 0; j < continuation.length; j++) {
            int row = (context.length - 1 + j) * VOCAB;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < VOCAB; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < VOCAB; v++) {
                sum += Math.exp(logits[row + v] - max);
            }
            out[j] = logits[row + continuation[j]] - max - Math.log(sum);
        }
        return out;
    }

    /** Greedy decoding by re-running the whole sequence each step; the text cut at the first stop string, trimmed. */
    static String greedyText(int[] prompt, int maxTokens, List<String> stops) {
        int[] sequence = prompt;
        List<Integer> generated = new ArrayList<>();
        for (int step = 0; step < maxTokens; step++) {
            float[] logits = decoder.logits(sequence);
            int row = (sequence.length - 1) * VOCAB;
            int best = 0;
            for (int v = 1; v < VOCAB; v++) {
                if (logits[row + v] > logits[row + best]) {
                    best = v;
                }
            }
            if (tokenizer.isEos(best)) {
                break;
            }
            generated.add(best);
            sequence = concat(sequence, new int[] {best});
        }
        String text = tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray(), true);
        int cut = text.length();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut).strip();
    }

    private static double sum(double[] values) {
        return Arrays.stream(values).sum();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
