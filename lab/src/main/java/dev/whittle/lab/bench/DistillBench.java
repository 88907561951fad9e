package dev.whittle.lab.bench;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.LlamaConfigJson;
import dev.whittle.engine.train.LogitLoss;
import dev.whittle.engine.train.Trainer;
import dev.whittle.engine.train.data.ExampleBatches;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.distill.TeacherLogits;
import dev.whittle.engine.train.finetune.FineTune;
import dev.whittle.engine.train.finetune.DistillAdapter;
import dev.whittle.engine.train.lora.LoraConfig;
import dev.whittle.engine.train.lora.LoraModel;
import dev.whittle.engine.train.ops.LogitDistillation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Tokens per second of a DISTILL fine-tune update, run as the stage runs it ({@link FineTune#run} on a model
 * folder): SFT (cross-entropy on the responses) and logit distillation (KL from a {@link TeacherLogits} teacher
 * beside the student, T 1, alpha 0), each with every weight trained ({@code full}) and with LoRA (rank 16, alpha
 * 32, dropout 0.05 on q_proj and v_proj: the stage's defaults). The teacher is the student's own starting weights,
 * as a pruned model's dense root is of its shape. Models: whittle-ref (the committed {@code reference/model}, or
 * its shape with random weights when the folder is absent) and a ~110M-parameter Llama with random weights
 * (hidden 768, 12 layers of 12 heads, intermediate 2048, vocabulary 32000). Examples are random tokens, prompts
 * of 64 and responses filling 256 inputs, packed into micro-batches of {@code sequences x 256} tokens; one update
 * is one micro-batch.
 * <p>
 * Each run takes {@code --steps} updates and keeps the fastest after the first (the first pays the JIT and the
 * allocations). GFLOPS count {@link FineTuneFlops}: the trainer's model flops, less LoRA's skipped weight
 * gradients, plus the teacher's forward. The teacher's share of a distillation update is timed apart on one
 * micro-batch of the same examples: its forward ({@link TeacherLogits#prepare}) plus what its loss costs beyond
 * the cross-entropy SFT pays anyway (the teacher's head and the KL), over the update's time; the gap between the
 * distillation and the SFT update is printed beside it as a check.
 * <p>
 * Options: {@code --shape ref,110m} (default both), {@code --steps N} (default 3), {@code --tokens N} (tokens per
 * micro-batch, a multiple of 256; default 4096 for ref, 1024 for 110m).
 */
final class DistillBench implements Benchmark {

    private enum Objective { SFT, LOGITS }

    private enum Adapter { FULL, LORA }

    /** A model to fine-tune and the sequences of its micro-batch by default. */
    private record Shape(String name, int sequences) {
    }

    private static final List<Shape> SHAPES = List.of(new Shape("ref", 16), new Shape("110m", 4));
    private static final Path REFERENCE = Path.of("reference", "model");
    private static final int LENGTH = 256;
    private static final int PROMPT = 64;
    private static final long SEED = 7;
    /** The DISTILL stage's LoRA defaults. */
    private static final LoraConfig LORA = ((FineTune.Adapter.Lora) new DistillAdapter.Lora(null, null, null, null)
            .fineTune(SEED)).config();
    private static final LogitDistillation.Config KL = new LogitDistillation.Config(1.0, 0.0);
    /** Logit rows per chunk, as the trainer's backward computes them (a whole batch of logits would not fit). */
    private static final int LOGITS_CHUNK_FLOATS = 1 << 22;

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public String description() {
        return "DISTILL fine-tune update (sft and logit distillation, full and lora) on whittle-ref and a ~110M Llama";
    }

    @Override
    public Set<String> options() {
        return Set.of("shape", "steps", "tokens");
    }

    @Override
    public void run(Report report) {
        run(report, BenchArguments.NONE);
    }

    @Override
    public void run(Report report, BenchArguments arguments) {
        int steps = arguments.intOption("steps", 3, 1);
        int tokens = arguments.intOption("tokens", 0, LENGTH);
        if (tokens % LENGTH != 0) {
            throw new IllegalArgumentException("--tokens must be a multiple of " + LENGTH + ", got " + tokens);
        }
        List<Shape> shapes = new ArrayList<>();
        for (String name : arguments.option("shape", "ref,110m").split(",")) {
            shapes.add(SHAPES.stream().filter(s -> s.name().equals(name.trim())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("--shape " + name + ": known shapes are ref and 110m")));
        }
        try {
            Path dir = Files.createTempDirectory("whittle-distill-bench");
            try {
                for (Shape shape : shapes) {
                    run(report, shape, tokens == 0 ? shape.sequences() : tokens / LENGTH, steps, dir);
                }
            } finally {
                Folders.deleteRecursively(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(Report report, Shape shape, int sequences, int steps, Path dir) throws IOException {
        boolean committed = shape.name().equals("ref") && Files.isRegularFile(REFERENCE.resolve("config.json"));
        Path model = committed ? REFERENCE : randomFolder(shape, dir);
        Decoder teacher = DecoderLoader.load(model, Progress.NONE);
        int vocab = teacher.vocabSize();
        List<SupervisedExample> examples = examples(vocab, sequences * steps);
        report.line(String.format(Locale.ROOT, "distill %s: %s, %.1fM parameters; micro-batch %d x %d tokens "
                        + "(prompts of %d), %s; lora r%d on %s; load average %.1f",
                shape.name(), committed ? "whittle-ref (" + REFERENCE + ")" : "random weights",
                teacher.parameterCount() / 1e6, sequences, LENGTH, PROMPT, steps > 1 ? "fastest of " + (steps - 1)
                        + " updates after the first" : "one update, the JIT's warm-up included", LORA.rank(),
                String.join(", ", LORA.targets()), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        TeacherTime teacherTime = teacherTime(teacher, examples, sequences * LENGTH);
        Map<Adapter, Double> sftSeconds = new EnumMap<>(Adapter.class);
        for (Objective objective : Objective.values()) {
            for (Adapter adapter : Adapter.values()) {
                Measured m = fineTune(model, examples, objective, adapter, sequences * LENGTH, steps,
                        dir.resolve(shape.name() + "-" + objective + "-" + adapter));
                double flops = adapter == Adapter.FULL ? m.flopsPerToken()
                        : FineTuneFlops.lora(m.flopsPerToken(), LoraModel.attach(teacher, LORA));
                String detail = String.format(Locale.ROOT, "(%,.0f tokens/s, %.2f s/update)", m.tokens() / m.seconds(),
                        m.seconds());
                if (objective == Objective.SFT) {
                    sftSeconds.put(adapter, m.seconds());
                } else {
                    flops += FineTuneFlops.teacherForward(m.flopsPerToken());
                    detail += String.format(Locale.ROOT, "  teacher %.0f%% of the update (forward %.2f s + head and "
                                    + "KL beyond CE %.2f s, timed apart; logits-over-sft gap %.0f%%)",
                            100 * teacherTime.seconds() / m.seconds(), teacherTime.forward(), teacherTime.beyondCe(),
                            100 * (m.seconds() - sftSeconds.get(adapter)) / m.seconds());
                }
                report.gflops(String.format(Locale.ROOT, "distill %s %s %s", shape.name(),
                        objective.name().toLowerCase(Locale.ROOT), adapter.name().toLowerCase(Locale.ROOT)),
                        m.tokens() / m.seconds() * flops / 1e9, detail);
            }
        }
    }

    /** The fastest update after the first: its tokens, seconds and the trainer's model flops per token. */
    private record Measured(long tokens, double seconds, double flopsPerToken) {
    }

    private static Measured fineTune(Path model, List<SupervisedExample> examples, Objective objective,
                                     Adapter adapter, int tokenBudget, int steps, Path work) throws IOException {
        FineTune.Settings settings = new FineTune.Settings(steps, 2e-5, 2e-6, 1, tokenBudget, LENGTH,
                ExampleBatches.Layout.PACKED, 1, 1.0, 0.0, SEED, 0.0, steps, steps, DType.BF16);
        FineTune.Request request = new FineTune.Request(model, examples,
                objective == Objective.SFT ? new FineTune.Objective.CrossEntropy()
                        : new FineTune.Objective.Distillation(model, KL),
                adapter == Adapter.FULL ? new FineTune.Adapter.Full() : new FineTune.Adapter.Lora(LORA),
                settings, work.resolve("work"), work.resolve("model"), work.resolve("adapter"), "whittle-bench");
        List<Trainer.Step> updates = new ArrayList<>();
        try {
            FineTune.run(request, Progress.NONE, updates::add);
        } finally {
            Folders.deleteRecursively(work);
        }
        Trainer.Step fastest = updates.stream().skip(updates.size() > 1 ? 1 : 0)
                .min((a, b) -> Double.compare(a.throughput().seconds(), b.throughput().seconds())).orElseThrow();
        return new Measured(fastest.throughput().tokens(), fastest.throughput().seconds(),
                fastest.throughput().flopsPerToken());
    }

    /** The teacher's part of a distillation update on one micro-batch: its forward, and its loss beyond CE's. */
    private record TeacherTime(double forward, double beyondCe) {
        double seconds() {
            return forward + beyondCe;
        }
    }

    private static TeacherTime teacherTime(Decoder teacher, List<SupervisedExample> examples, int tokenBudget) {
        TrainingBatch batch = new ExampleBatches(examples, tokenBudget, LENGTH, ExampleBatches.Layout.PACKED, SEED)
                .next();
        List<int[]> sequences = new ArrayList<>();
        for (int s = 0; s < batch.sequences(); s++) {
            sequences.add(batch.sequence(s));
        }
        Batch rows = Batch.of(sequences);
        int vocab = teacher.vocabSize();
        int chunk = Math.max(1, Math.min(rows.rows(), LOGITS_CHUNK_FLOATS / vocab));
        float[] studentLogits = new float[chunk * vocab];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < studentLogits.length; i++) {
            studentLogits[i] = (float) random.nextDouble(-4, 4);
        }
        float[] work = new float[studentLogits.length];
        float scale = 1f / Math.max(1, batch.scoredTokens());
        TeacherLogits distillation = new TeacherLogits(teacher, vocab, KL);
        double forward = Report.secondsPerCall(() -> distillation.prepare(rows), 0);
        double distillLoss = Report.secondsPerCall(() -> losses(distillation, rows.rows(), chunk, vocab,
                studentLogits, work, batch.targets(), scale), 0);
        double crossEntropy = Report.secondsPerCall(() -> losses(LogitLoss.CROSS_ENTROPY, rows.rows(), chunk, vocab,
                studentLogits, work, batch.targets(), scale), 0);
        return new TeacherTime(forward, Math.max(0, distillLoss - crossEntropy));
    }

    /** The loss and its gradient over every row, chunk by chunk, as the backward calls it (same logits each chunk). */
    private static void losses(LogitLoss loss, int rows, int chunk, int vocab, float[] logits, float[] work,
                               int[] targets, float scale) {
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int n = Math.min(chunk, rows - r0);
            System.arraycopy(logits, 0, work, 0, n * vocab);
            loss.lossAndGradient(r0, n, vocab, work, targets, scale);
        }
    }

    /** {@code count} examples of random tokens: a prompt of {@value #PROMPT}, the response filling the length. */
    private static List<SupervisedExample> examples(int vocab, int count) {
        SplittableRandom random = new SplittableRandom(SEED);
        List<SupervisedExample> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            examples.add(new SupervisedExample(random.ints(PROMPT, 1, vocab).toArray(),
                    random.ints(LENGTH + 1 - PROMPT, 1, vocab).toArray()));
        }
        return examples;
    }

    /** A model folder of the shape with random weights: whittle-ref's (F32) or the ~110M Llama's (BF16). */
    private static Path randomFolder(Shape shape, Path dir) throws IOException {
        boolean ref = shape.name().equals("ref");
        var config = ref ? LlamaConfigJson.of(256, 704, 6, 8, 4, 4096, LENGTH, true)
                : RandomLlama.config(768, 2048, 12, 12, 32000, 2048);
        DType dtype = ref ? DType.F32 : DType.BF16;
        config.put("torch_dtype", dtype.torchName());
        Decoder decoder = RandomLlama.load(config);
        Path folder = dir.resolve(shape.name());
        ModelFolderWriter.to(folder).config(decoder.config()).write(DecoderTensors.of(decoder, dtype));
        return folder;
    }
}
