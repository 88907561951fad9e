package dev.whittle.engine.eval.run;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.task.DatasetSpec;
import dev.whittle.engine.eval.task.FewShotSpec;
import dev.whittle.engine.eval.task.TaskDefinition;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.generate.BatchGenerator;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.testing.ReferenceModel;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Batched evaluation on the committed reference model and its own tasks, against the unbatched path: each prompt
 * generated alone by {@link Generator}, each log-likelihood request scored alone.
 */
class BatchedEvaluationTest {

    static Decoder decoder;
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        Path model = ReferenceModel.find().orElseThrow(() -> new IllegalStateException(
                "no reference model: set -Dwhittle.referenceModel=DIR or commit it under reference/model"));
        decoder = DecoderLoader.load(model, Progress.NONE);
        tokenizer = Tokenizer.load(model);
    }

    @Test
    void greedyBatchedGenerationEqualsGeneratingEachPromptAloneTokenForToken() throws IOException {
        // Closed-book prompts are short (the dot-product path); reading passages two at a time are long (the blocked path).
        List<BatchGenerator.Request> requests = new ArrayList<>();
        requests.addAll(requests("ref-closed-book-qa", 12));
        List<BatchGenerator.Request> reading = requests("ref-icr-qa", 8);
        requests.addAll(reading.subList(0, 4));
        for (int i = 4; i + 1 < reading.size(); i += 2) {
            int[] first = reading.get(i).prompt();
            int[] second = reading.get(i + 1).prompt();
            int[] both = java.util.Arrays.copyOf(first, first.length + second.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            requests.add(new BatchGenerator.Request(PromptTokens.fit(both, 16, decoder.config().maxPositionEmbeddings(),
                    "pair " + i), reading.get(i).settings()));
        }
        Generator alone = new Generator(decoder, tokenizer);

        List<Generator.Result> batched = new BatchGenerator(decoder, tokenizer, 6).generate(requests, Progress.NONE);

        int generated = 0;
        for (int i = 0; i < requests.size(); i++) {
            Generator.Result expected = alone.generate(requests.get(i).prompt(), requests.get(i).settings(), s -> { },
                    Progress.NONE);
            assertThat(batched.get(i).tokens()).as("request %d", i).containsExactly(expected.tokens());
            assertThat(batched.get(i).text()).as("request %d", i).isEqualTo(expected.text());
            generated += expected.tokens().length;
        }
        assertThat(generated).isGreaterThan(requests.size());
        assertThat(requests).as("a long prompt").anyMatch(r -> r.prompt().length >= 128);
    }

    @Test
    void batchedLogLikelihoodEqualsScoringEachRequestAlone() throws IOException {
        TaskDefinition task = TaskRegistry.builtIn().task("ref-multiple-choice");
        PromptBuilder prompts = new PromptBuilder(task, FewShotSpec.none(), List.of(), false);
        List<LogLikelihood.Request> requests = new ArrayList<>();
        for (Doc doc : docs(task, 8)) {
            for (String choice : prompts.choices(doc)) {
                requests.add(LogLikelihood.Request.fromText(tokenizer, prompts.context(doc), prompts.delimiter() + choice));
            }
        }
        LogLikelihood scorer = new LogLikelihood(decoder);

        List<LogLikelihood.Result> batched = scorer.score(requests, Progress.NONE);

        for (int i = 0; i < requests.size(); i++) {
            LogLikelihood.Result expected = scorer.score(List.of(requests.get(i)), Progress.NONE).getFirst();
            assertThat(batched.get(i).logLikelihood()).as("request %d", i).isCloseTo(expected.logLikelihood(), within(1e-4));
            assertThat(batched.get(i).greedy()).as("request %d", i).isEqualTo(expected.greedy());
        }
    }

    /** The task's first prompts as {@link GenerationScoring} builds them. */
    private static List<BatchGenerator.Request> requests(String name, int limit) throws IOException {
        TaskDefinition task = TaskRegistry.builtIn().task(name);
        PromptBuilder prompts = new PromptBuilder(task, FewShotSpec.none(), List.of(), false);
        Generator.Settings settings = new Generator.Settings(task.request().maxTokens(), 0, 1, 0, task.request().until());
        List<BatchGenerator.Request> out = new ArrayList<>();
        for (Doc doc : docs(task, limit)) {
            int[] ids = PromptTokens.fit(tokenizer.encode(prompts.context(doc), true), task.request().maxTokens(),
                    decoder.config().maxPositionEmbeddings(), doc.id());
            out.add(new BatchGenerator.Request(ids, settings));
        }
        return out;
    }

    private static List<Doc> docs(TaskDefinition task, int limit) throws IOException {
        DatasetSpec dataset = task.dataset();
        List<Doc> all = dataset.format().read(DatasetResolver.builtinOnly(), dataset.path(), dataset.split(),
                dataset.subsets());
        return all.subList(0, limit);
    }
}
