package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole pipeline on a tiny recipe: train, resume, export, evaluate, card. */
class ReferencePipelineTest {

    private static final Duration LONG = Duration.ofHours(1);

    @TempDir
    static Path dir;
    static TinyReference tiny;
    static ReferencePipeline uninterrupted;
    static ReferenceTraining.Outcome outcome;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void trainInOneGo() throws IOException {
        tiny = new TinyReference(dir);
        uninterrupted = tiny.pipeline("whole");
        outcome = uninterrupted.train(ReferenceTraining.Budget.minutes(1e9, 1e9), new PrintStream(LOG, true),
                Progress.NONE);
    }

    private static final ReferencePhase PRETRAIN = TinyReference.PHASES.getFirst();
    private static final ReferencePhase DRILL = TinyReference.PHASES.getLast();

    @Test
    void trainsTheWholePassOfEachPhaseAndTheLossFalls() throws IOException {
        assertThat(outcome.finished()).isTrue();
        PackedStream drill = uninterrupted.stream(DRILL, Progress.NONE);
        assertThat(outcome.totalUpdates()).isEqualTo((drill.size() - 1) / TinyReference.DRILL_PLAN.context()
                / TinyReference.DRILL_PLAN.sequences());
        assertThat(ReferenceTraining.checkpointedUpdates(dir.resolve("whole").resolve("drill")))
                .isEqualTo(outcome.totalUpdates());
        PackedStream stream = uninterrupted.stream(PRETRAIN, Progress.NONE);
        long pretrainUpdates = (stream.size() - 1) / TinyReference.PLAN.context() / TinyReference.PLAN.sequences();
        List<LossLog.Row> rows = LossLog.read(dir.resolve("whole").resolve("pretrain").resolve(ReferenceTraining.LOSS_FILE));
        assertThat(rows).hasSize((int) pretrainUpdates);
        assertThat(rows.getFirst().loss()).isCloseTo(Math.log(400), org.assertj.core.data.Offset.offset(0.5));
        double first = rows.subList(0, 10).stream().mapToDouble(LossLog.Row::loss).average().orElseThrow();
        double last = rows.subList(rows.size() - 10, rows.size()).stream().mapToDouble(LossLog.Row::loss).average().orElseThrow();
        assertThat(last).isLessThan(0.7 * first);
        assertThat(LOG.toString()).contains("phase pretrain (1 of 2)", "phase drill (2 of 2)", "tokens/s", "GFLOPS",
                "ETA", "finished", "published");
    }

    @Test
    void theSecondPhaseStartsFromTheWeightsTheFirstFinishedWith() throws IOException {
        ReferenceTraining pretrain = uninterrupted.training(PRETRAIN, uninterrupted.stream(PRETRAIN, Progress.NONE));
        pretrain.restoreLatest();
        ReferencePipeline fresh = tiny.pipeline("fresh-drill");
        Path copy = dir.resolve("fresh-drill").resolve("pretrain");
        copyTree(dir.resolve("whole").resolve("pretrain"), copy);
        ReferenceTraining drill = fresh.training(DRILL, fresh.stream(DRILL, Progress.NONE));
        assertThat(drill.decoder().embedding()).isEqualTo(pretrain.decoder().embedding());
        assertThat(drill.decoder().blocks().getFirst().linears().getFirst().weight())
                .isEqualTo(pretrain.decoder().blocks().getFirst().linears().getFirst().weight());
        assertThat(Files.readString(dir.resolve("fresh-drill").resolve("drill").resolve(ReferenceTraining.RUN_FILE)))
                .contains("pretrain/checkpoint");
    }

    @Test
    void theSecondPhaseCannotStartBeforeTheFirstHasACheckpoint() throws IOException {
        ReferencePipeline empty = tiny.pipeline("empty");
        PackedStream stream = empty.stream(DRILL, Progress.NONE);
        assertThatThrownBy(() -> empty.training(DRILL, stream))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no checkpoint");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void aRunInSlicesWithCheckpointsAfterEveryUpdateHasTheSameLossesAndWeights() throws IOException {
        ReferencePipeline sliced = tiny.pipeline("sliced");
        PackedStream stream = sliced.stream(PRETRAIN, Progress.NONE);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        ReferenceTraining.Outcome first = sliced.training(PRETRAIN, stream)
                .train(new ReferenceTraining.Budget(LONG, 17, LONG), quiet);
        assertThat(first.finished()).isFalse();
        assertThat(first.updates()).isEqualTo(17);
        assertThat(ReferenceTraining.checkpointedUpdates(dir.resolve("sliced").resolve("pretrain"))).isEqualTo(17);
        ReferenceTraining second = sliced.training(PRETRAIN, stream);
        assertThat(second.train(new ReferenceTraining.Budget(LONG, 0, Duration.ZERO), quiet).finished()).isTrue();

        List<Double> whole = LossLog.read(dir.resolve("whole").resolve("pretrain").resolve(ReferenceTraining.LOSS_FILE))
                .stream().map(LossLog.Row::loss).toList();
        List<Double> resumed = LossLog.read(dir.resolve("sliced").resolve("pretrain").resolve(ReferenceTraining.LOSS_FILE))
                .stream().map(LossLog.Row::loss).toList();
        assertThat(resumed).isEqualTo(whole);

        ReferenceTraining reference = uninterrupted.training(PRETRAIN, stream);
        reference.restoreLatest();
        assertThat(second.decoder().embedding()).isEqualTo(reference.decoder().embedding());
        assertThat(second.decoder().blocks().getLast().mlp().linears().getLast().weight())
                .isEqualTo(reference.decoder().blocks().getLast().mlp().linears().getLast().weight());
    }

    @Test
    void thePublishedFolderLoadsAndGivesTheTrainedWeightsLogits() throws IOException {
        Path model = dir.resolve("whole-model");
        ModelConfig config = ModelConfig.load(model);
        assertThat(config.architecture()).isEqualTo("LlamaForCausalLM");
        assertThat(config.tieWordEmbeddings()).isTrue();
        for (String file : List.of("model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "generation_config.json", ReferenceExport.CARD, ReferenceExport.CURVE,
                ReferenceExport.SCORES)) {
            assertThat(model.resolve(file)).isRegularFile();
        }
        Decoder loaded = DecoderLoader.load(model, Progress.NONE);
        ReferenceTraining trained = uninterrupted.training(DRILL, uninterrupted.stream(DRILL, Progress.NONE));
        assertThat(trained.restoreLatest()).isEqualTo(outcome.totalUpdates());
        int[] tokens = tiny.tokenizer.encode("Q: Where was she born?\nA: Lisbon", true);
        assertThat(loaded.logits(tokens)).isEqualTo(trained.decoder().logits(tokens));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void theCardReportsTheRunAndTheScoresAndTheCurveIsAnImage() throws IOException {
        Path model = dir.resolve("whole-model");
        String card = Files.readString(model.resolve(ReferenceExport.CARD));
        assertThat(card).contains("# whittle-ref", "LlamaForCausalLM", "closed-book QA (held-out people)",
                "in-context retrieval (unseen people)", "4-way multiple choice", "WikiText-2", "bits per byte",
                "final loss", "![training loss](loss-curve.png)", "eval-reference reference/model",
                "### Phase 1: pretrain", "### Phase 2: drill", "each followed by 3 questions on distinct facts",
                "never straddles two training windows");
        assertThat(card).contains(String.format("%,d of %,d planned", outcome.totalUpdates(), outcome.totalUpdates()));
        assertThat(card).doesNotContain("Snapshot of an unfinished run");
        BufferedImage curve = ImageIO.read(model.resolve(ReferenceExport.CURVE).toFile());
        assertThat(curve).isNotNull();
        assertThat(curve.getWidth()).isGreaterThan(400);
    }

    @Test
    void evaluationCountsAgreeWithAPlainForwardScoring() throws IOException {
        Path model = dir.resolve("whole-model");
        ReferenceEvaluation.Scores scores = ReferencePipeline.evaluate(model, tiny.evalDir, null, 8, false, Progress.NONE);
        assertThat(scores.closedBook().total()).isEqualTo(8);
        assertThat(scores.multipleChoice().total()).isEqualTo(8);
        assertThat(scores.inContext().total()).isEqualTo(6);
        assertThat(scores.wikiText()).isNull();

        Decoder decoder = DecoderLoader.load(model, Progress.NONE);
        List<KnowledgeEvalSets.MultipleChoice> choices = ReferenceEvaluation.subset(KnowledgeEvalSets.read(
                tiny.evalDir.resolve(KnowledgeEvalSets.MULTIPLE_CHOICE), KnowledgeEvalSets.MultipleChoice.class), 8);
        int correct = 0;
        for (KnowledgeEvalSets.MultipleChoice item : choices) {
            int[] context = tiny.tokenizer.encode(item.prompt(), true);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 4; c++) {
                int[] whole = tiny.tokenizer.encode(item.prompt() + " " + item.choices().get(c), true);
                double score = logLikelihood(decoder, whole, context.length);
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            correct += best == item.gold() ? 1 : 0;
        }
        assertThat(scores.multipleChoice().correct()).isEqualTo(correct);

        List<KnowledgeEvalSets.ClosedBook> closed = ReferenceEvaluation.subset(KnowledgeEvalSets.read(
                tiny.evalDir.resolve(KnowledgeEvalSets.CLOSED_BOOK), KnowledgeEvalSets.ClosedBook.class), 8);
        int exact = 0;
        for (KnowledgeEvalSets.ClosedBook item : closed) {
            String answer = greedyWithoutCache(decoder, tiny.tokenizer.encode(item.prompt(), true)).strip();
            exact += answer.equals(item.answer()) || item.aliases().contains(answer) ? 1 : 0;
        }
        assertThat(scores.closedBook().correct()).isEqualTo(exact);
    }

    @Test
    void aRunFolderOfAnotherPlanIsRefused() throws IOException {
        PackedStream stream = uninterrupted.stream(PRETRAIN, Progress.NONE);
        ReferencePlan other = new ReferencePlan(32, 3, 4, 2, 64, 32, 4, 1e-2, 1e-3, 5, 0.1, 1.0, 7);
        assertThatThrownBy(() -> new ReferenceTraining(other, stream, tiny.tokenizer, dir.resolve("whole").resolve("pretrain")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another plan");
    }

    /** Sum of log-probabilities (double-precision log-softmax) of whole[from..] given what precedes each. */
    private static double logLikelihood(Decoder decoder, int[] whole, int from) {
        float[] logits = decoder.logits(whole);
        int vocab = decoder.vocabSize();
        double sum = 0;
        for (int t = from; t < whole.length; t++) {
            int row = (t - 1) * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[row + v] - max);
            }
            sum += logits[row + whole[t]] - max - Math.log(z);
        }
        return sum;
    }

    /** Greedy decoding by re-running the whole sequence each step, until a newline or the end marker. */
    private static String greedyWithoutCache(Decoder decoder, int[] prompt) {
        int[] sequence = prompt;
        int vocab = decoder.vocabSize();
        StringBuilder text = new StringBuilder();
        for (int step = 0; step < 16; step++) {
            float[] logits = decoder.logits(sequence);
            int row = (sequence.length - 1) * vocab;
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[row + v] > logits[row + best]) {
                    best = v;
                }
            }
            if (tiny.tokenizer.isEos(best)) {
                break;
            }
            sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = best;
            text.setLength(0);
            text.append(tiny.tokenizer.decode(java.util.Arrays.copyOfRange(sequence, prompt.length, sequence.length), true));
            int newline = text.indexOf("\n");
            if (newline >= 0) {
                return text.substring(0, newline);
            }
        }
        return text.toString();
    }
}
