package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.data.DatasetResolver;
import dev.whittle.engine.eval.run.EvaluationSettings;
import dev.whittle.engine.eval.run.Evaluator;
import dev.whittle.engine.eval.task.TaskRegistry;
import dev.whittle.engine.generate.BatchGenerator;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Samples/s of evaluation per request type, batched against one sample at a time (today's path: each prompt
 * generated alone, each document's log-likelihood requests in their own forwards), measured in the same run: on
 * whittle-ref's own tasks, and on a ~90M Llama shape with random weights and random prompts. With
 * {@code --suite-limit N} also the whole {@code kick} suite on whittle-ref, N samples per task, both ways.
 */
final class EvalBench implements Benchmark {

    private static final int HIDDEN = 768;
    private static final int LAYERS = 12;
    private static final int HEADS = 12;
    private static final int INTERMEDIATE = 2048;

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String description() {
        return "evaluation samples/s per request type, batched vs one at a time: whittle-ref tasks and a ~90M shape";
    }

    @Override
    public Set<String> options() {
        return Set.of("model", "limit", "batch", "large-limit", "suite-limit");
    }

    @Override
    public void run(Report report) {
        run(report, BenchArguments.NONE);
    }

    @Override
    public void run(Report report, BenchArguments arguments) {
        Path model = Path.of(arguments.option("model", "reference/model"));
        int limit = arguments.intOption("limit", 48, 1);
        int batch = arguments.intOption("batch", EvaluationSettings.DEFAULT_BATCH_SIZE, 2);
        int largeLimit = arguments.intOption("large-limit", 16, 0);
        int suiteLimit = arguments.intOption("suite-limit", 0, 0);
        if (!Files.isRegularFile(model.resolve(ModelConfig.FILE_NAME))) {
            report.line("eval: no model at " + model + " (--model DIR): whittle-ref part skipped");
            return;
        }
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            Decoder ref = DecoderLoader.load(model, Progress.NONE);
            Evaluator evaluator = new Evaluator(ref, tokenizer, DatasetResolver.builtinOnly());
            TaskRegistry tasks = TaskRegistry.builtIn();
            for (String task : List.of("ref-multiple-choice", "mcr-qa", "ref-closed-book-qa", "ref-icr-qa")) {
                compare(report, "whittle-ref " + task, limit, batch, size -> time(() -> evaluator.evaluate(
                        tasks.task(task), new EvaluationSettings(limit, null, size, false), Progress.NONE)));
            }
            if (largeLimit > 0) {
                large(report, tokenizer, largeLimit, batch);
            }
            if (suiteLimit > 0) {
                suite(report, evaluator, tasks, suiteLimit, batch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code kick} suite task by task (each with its request type), then the whole: the sum of the tasks' times,
     * each way, which is what {@link Evaluator#evaluate(dev.whittle.engine.eval.task.SuiteDefinition, TaskRegistry,
     * EvaluationSettings, Progress)} spends (it runs the tasks in turn).
     */
    private static void suite(Report report, Evaluator evaluator, TaskRegistry tasks, int limit, int batch) {
        Timing alone = new Timing(0, 0);
        Timing batched = new Timing(0, 0);
        int samples = 0;
        for (var entry : tasks.suite("kick").tasks()) {
            var task = tasks.task(entry.task());
            int n = entry.limit() == null ? limit : Math.min(limit, entry.limit());
            Timing[] both = compare(report, "kick " + task.name() + " (" + task.requestType().id() + ")", n, batch,
                    size -> time(() -> evaluator.evaluate(task, new EvaluationSettings(n, null, size, false),
                            Progress.NONE)));
            alone = alone.plus(both[0]);
            batched = batched.plus(both[1]);
            samples += n;
        }
        print(report, "whittle-ref kick suite (sum of the above)", samples, batch, alone, batched);
    }

    /** Random prompts through a ~90M random Llama with whittle-ref's tokenizer (so generation ends as text does). */
    private static void large(Report report, Tokenizer tokenizer, int samples, int batch) {
        Decoder decoder = RandomLlama.decoder(HIDDEN, INTERMEDIATE, LAYERS, HEADS, tokenizer.vocabSize(), 2048);
        String shape = String.format(Locale.ROOT, "%.0fM random", decoder.parameterCount() / 1e6);
        SplittableRandom random = new SplittableRandom(11);
        List<BatchGenerator.Request> prompts = new ArrayList<>();
        List<List<LogLikelihood.Request>> questions = new ArrayList<>();
        Generator.Settings settings = Generator.Settings.greedy(16);
        for (int i = 0; i < samples; i++) {
            prompts.add(new BatchGenerator.Request(random.ints(random.nextInt(32, 128), 1, tokenizer.vocabSize())
                    .toArray(), settings));
            int[] context = random.ints(random.nextInt(64, 192), 1, tokenizer.vocabSize()).toArray();
            List<LogLikelihood.Request> choices = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                choices.add(new LogLikelihood.Request(context, random.ints(random.nextInt(2, 8), 1,
                        tokenizer.vocabSize()).toArray()));
            }
            questions.add(choices);
        }
        LogLikelihood scorer = new LogLikelihood(decoder);
        compare(report, shape + " loglikelihood", samples, batch, size -> time(() -> {
            for (int i = 0; i < questions.size(); i += size) {
                List<LogLikelihood.Request> requests = new ArrayList<>();
                questions.subList(i, Math.min(questions.size(), i + size)).forEach(requests::addAll);
                scorer.score(requests, Progress.NONE);
            }
            return null;
        }));
        compare(report, shape + " generate_until", samples, batch, size -> time(() -> {
            if (size == 1) { // today's path, literally
                Generator alone = new Generator(decoder, tokenizer);
                prompts.forEach(p -> alone.generate(p.prompt(), p.settings(), text -> { }, Progress.NONE));
            } else {
                new BatchGenerator(decoder, tokenizer, size).generate(prompts, Progress.NONE);
            }
            return null;
        }));
    }

    /**
     * Seconds of a run with batch size 1 and with {@code batch}, after a warm-up of each; prints both and the ratio,
     * and returns both.
     */
    private static Timing[] compare(Report report, String label, int samples, int batch, Timed run) {
        run.seconds(batch);
        Timing alone = run.seconds(1);
        Timing batched = run.seconds(batch);
        print(report, label, samples, batch, alone, batched);
        return new Timing[] {alone, batched};
    }

    /**
     * Samples/s by wall time, the ratio, and the CPU seconds of the process each way with their ratio: on a machine
     * shared with other work the wall time swings with the load, the CPU time much less.
     */
    private static void print(Report report, String label, int samples, int batch, Timing alone, Timing batched) {
        report.line(String.format(Locale.ROOT, "%-40s %8.2f samples/s one at a time, %8.2f batched (%d): %5.2fx"
                        + "  (%.1f s, %.1f s; cpu %.1f s, %.1f s: %5.2fx)", label, samples / alone.wall(),
                samples / batched.wall(), batch, alone.wall() / batched.wall(), alone.wall(), batched.wall(),
                alone.cpu(), batched.cpu(), alone.cpu() / batched.cpu()));
    }

    /** Wall seconds and the process's CPU seconds (all threads) of one run. */
    private record Timing(double wall, double cpu) {
        Timing plus(Timing other) {
            return new Timing(wall + other.wall, cpu + other.cpu);
        }
    }

    private interface Timed {
        Timing seconds(int batchSize);
    }

    private interface Work {
        Object run() throws IOException;
    }

    private static Timing time(Work work) {
        long cpu = processCpuNanos();
        long start = System.nanoTime();
        try {
            work.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Timing((System.nanoTime() - start) / 1e9, (processCpuNanos() - cpu) / 1e9);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
