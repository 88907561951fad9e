package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.ReferenceRecipe;
import dev.whittle.lab.corpus.TrainingMix;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The reference model from data to published folder, in {@link ReferencePhase phases} that each keep a subfolder
 * of the run folder: the phase's mix tokenized once into its {@value #STREAM_FILE}, training in resumable slices
 * ({@link ReferenceTraining}), each phase after the first starting from the weights the one before finished with.
 * When the last phase completes (or on demand) comes the export: weights written to a staged folder, that folder
 * loaded back and evaluated, the card added, and the folder published in place of the old one.
 */
public final class ReferencePipeline {

    public static final String STREAM_FILE = "tokens.bin";

    /**
     * @param runDir       the run folder (one subfolder per phase: checkpoints, loss log, token stream)
     * @param out          the published model folder
     * @param tokenizerDir the tokenizer files (copied into the model folder)
     * @param evalDir      the evaluation sets
     * @param wikiText     the WikiText-2 test text, or null for the project's copy on the classpath
     */
    public record Paths(Path runDir, Path out, Path tokenizerDir, Path evalDir, Path wikiText) {
    }

    private final List<ReferencePhase> phases;
    private final Paths paths;
    private final Tokenizer tokenizer;
    private final Function<TrainingMix.Config, TrainingMix> mixes;
    private final Path initialModel;

    /** A pipeline whose first phase starts from random weights. */
    public ReferencePipeline(List<ReferencePhase> phases, Paths paths, Tokenizer tokenizer,
                             Function<TrainingMix.Config, TrainingMix> mixes) {
        this(phases, paths, tokenizer, mixes, null);
    }

    /**
     * @param phases       in training order, all of one model shape
     * @param mixes        makes a phase's mix from its configuration
     * @param initialModel a dense model folder the first phase upcycles its weights from, or null for random weights
     */
    public ReferencePipeline(List<ReferencePhase> phases, Paths paths, Tokenizer tokenizer,
                             Function<TrainingMix.Config, TrainingMix> mixes, Path initialModel) {
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a reference pipeline needs at least one phase");
        }
        for (ReferencePhase phase : phases) {
            if (!sameShape(phase.plan(), phases.getFirst().plan())) {
                throw new IllegalArgumentException("phase " + phase.name() + " has another model shape than phase "
                        + phases.getFirst().name() + ": " + phase.plan() + " vs " + phases.getFirst().plan());
            }
        }
        this.phases = List.copyOf(phases);
        this.paths = paths;
        this.tokenizer = tokenizer;
        this.mixes = mixes;
        this.initialModel = initialModel;
    }

    /** whittle-ref: its phases, the recipe's mixes over the natural-text cache in {@code corpusCache}. */
    public static ReferencePipeline whittleRef(Paths paths, Path corpusCache) throws IOException {
        return new ReferencePipeline(ReferencePhase.whittleRef(), paths, Tokenizer.load(paths.tokenizerDir()),
                config -> ReferenceRecipe.mix(corpusCache, config));
    }

    /**
     * whittle-ref-moe: its phases, over the same data machinery as {@link #whittleRef}, starting from the dense
     * whittle-ref in {@code denseModel} upcycled to experts.
     */
    public static ReferencePipeline whittleRefMoe(Paths paths, Path corpusCache, Path denseModel) throws IOException {
        return new ReferencePipeline(ReferencePhase.whittleRefMoe(), paths, Tokenizer.load(paths.tokenizerDir()),
                config -> ReferenceRecipe.mix(corpusCache, config), denseModel);
    }

    public List<ReferencePhase> phases() {
        return phases;
    }

    /** The phase's subfolder of the run folder. */
    public Path phaseDir(ReferencePhase phase) {
        return paths.runDir().resolve(phase.name());
    }

    /** The phase's packed stream, from its cache when it was made from the same mix, alignment and tokenizer. */
    public PackedStream stream(ReferencePhase phase, Progress progress) throws IOException {
        TrainingMix training = mixes.apply(phase.mix());
        TrainingMix.Composition c = training.composition();
        String fingerprint = "mix " + training.config() + ", documents " + new TreeMap<>(c.documents())
                + ", characters " + new TreeMap<>(c.characters())
                + (phase.alignAnswers() ? ", answers aligned to windows of " + phase.alignment() : "")
                + ", tokenizer sha256 " + sha256(tokenizer.file());
        return PackedStream.cached(phaseDir(phase).resolve(STREAM_FILE), fingerprint,
                () -> PackedStream.tokenize(training, tokenizer, phase.alignment(), fingerprint, progress));
    }

    /**
     * The phase's training; a phase after the first starts from its predecessor's checkpoint, the first from the
     * initial model when there is one.
     */
    public ReferenceTraining training(ReferencePhase phase, PackedStream stream) throws IOException {
        int index = phases.indexOf(phase);
        Path startFrom = index <= 0 ? initialModel
                : phaseDir(phases.get(index - 1)).resolve(ReferenceTraining.CHECKPOINT_DIR);
        return new ReferenceTraining(phase.plan(), stream, tokenizer, phaseDir(phase), startFrom, phase.maxUpdates());
    }

    /** Trains one slice; publishes the model when the run completes in it. */
    public ReferenceTraining.Outcome train(ReferenceTraining.Budget budget, PrintStream log, Progress progress)
            throws IOException {
        return train(budget, 0, log, progress);
    }

    /**
     * Trains the first unfinished phase for one slice of {@code budget}, and goes on with the next phase in a
     * fresh slice when it finishes; publishes the model when the last phase is done. {@code ceilingGflops} is the
     * machine's FMA ceiling (0: measured now).
     */
    public ReferenceTraining.Outcome train(ReferenceTraining.Budget budget, double ceilingGflops, PrintStream log,
                                           Progress progress) throws IOException {
        ReferenceTraining.Outcome outcome = null;
        for (ReferencePhase phase : phases) {
            ReferenceTraining training = training(phase, stream(phase, progress));
            if (training.finished()) {
                List<LossLog.Row> losses = training.lossRows();
                outcome = new ReferenceTraining.Outcome(training.totalUpdates(), training.totalUpdates(),
                        losses.isEmpty() ? 0 : losses.getLast().seconds(), true);
                continue;
            }
            log.printf("%s phase %s (%d of %d)%n", ReferenceTraining.now(), phase.name(), phases.indexOf(phase) + 1,
                    phases.size());
            outcome = training.train(budget, ceilingGflops, log);
            if (!outcome.finished()) {
                return outcome;
            }
        }
        publish(log, progress);
        return outcome;
    }

    /** Exports the latest checkpoint (finished or not), evaluates it and publishes it to {@code paths.out()}. */
    public Path export(PrintStream log, Progress progress) throws IOException {
        return publish(log, progress);
    }

    /** The phases that have started, with their trainings; the last one holds the latest weights. */
    private List<Started> started(Progress progress) throws IOException {
        List<Started> started = new ArrayList<>();
        for (ReferencePhase phase : phases) {
            if (ReferenceTraining.checkpointedUpdates(phaseDir(phase)) == 0 && !started.isEmpty()) {
                break;
            }
            PackedStream stream = stream(phase, progress);
            started.add(new Started(phase, stream, training(phase, stream)));
        }
        return started;
    }

    private record Started(ReferencePhase phase, PackedStream stream, ReferenceTraining training) {
    }

    private Path publish(PrintStream log, Progress progress) throws IOException {
        List<Started> started = started(progress);
        ReferenceTraining last = started.getLast().training();
        long updates = last.restoreLatest();
        Path staging = ReferenceExport.stagingFor(paths.out());
        try {
            ReferenceExport.writeWeights(last.decoder(), last.config(), tokenizer, paths.tokenizerDir(), staging);
            log.printf("%s exported phase %s at update %d to %s; evaluating%n", ReferenceTraining.now(),
                    started.getLast().phase().name(), updates, staging);
            ReferenceEvaluation.Scores scores = evaluate(staging, 0, progress);
            List<ModelCard.Training> trainings = new ArrayList<>();
            List<LossLog.Row> curve = new ArrayList<>();
            for (Started s : started) {
                long done = ReferenceTraining.checkpointedUpdates(phaseDir(s.phase()));
                List<LossLog.Row> losses = s.training().lossRows().stream().filter(r -> r.update() <= done).toList();
                trainings.add(ModelCard.Training.of(s.phase(), last.decoder().parameterCount(), s.stream(),
                        s.training().totalUpdates(), losses));
                curve.addAll(LossLog.continued(losses, curve.isEmpty() ? null : curve.getLast()));
            }
            ModelCard card = new ModelCard(trainings, phases.size(), scores);
            ReferenceExport.writeCard(staging, card, curve);
            if (last.config().moe() != null) {
                MoeCardSection.append(staging, ReferenceExport.load(staging), paths.evalDir(),
                        ReferenceEvaluation.wikiText(paths.wikiText()), progress);
            }
            Path published = ReferenceExport.publish(staging, paths.out());
            log.printf("%s published %s: closed-book %.3f, in-context %.3f, multiple choice %.3f%n",
                    ReferenceTraining.now(), published, scores.closedBook().accuracy(), scores.inContext().accuracy(),
                    scores.multipleChoice().accuracy());
            return published;
        } finally {
            Folders.deleteRecursively(staging);
        }
    }

    /** Evaluates the model folder {@code folder} with this pipeline's evaluation sets and WikiText-2 text. */
    public ReferenceEvaluation.Scores evaluate(Path folder, int limit, Progress progress) throws IOException {
        return evaluate(folder, paths.evalDir(), paths.wikiText(), limit, true, progress);
    }

    /** Evaluates any model folder; {@code withWikiText} false skips perplexity. */
    public static ReferenceEvaluation.Scores evaluate(Path folder, Path evalDir, Path wikiTextFile, int limit,
                                                      boolean withWikiText, Progress progress) throws IOException {
        Decoder decoder = ReferenceExport.load(folder);
        try (Tokenizer folderTokenizer = Tokenizer.load(folder)) {
            String wiki = withWikiText ? ReferenceEvaluation.wikiText(wikiTextFile) : null;
            return new ReferenceEvaluation(decoder, folderTokenizer).run(evalDir, wiki, limit, progress);
        }
    }

    /**
     * Writes the run's latest checkpoint as a model folder at {@code target} (which must not exist), without a
     * card: what evaluating a run mid-training starts from.
     */
    public Path snapshot(Path target, Progress progress) throws IOException {
        ReferenceTraining training = started(progress).getLast().training();
        training.restoreLatest();
        return ReferenceExport.writeWeights(training.decoder(), training.config(), tokenizer, paths.tokenizerDir(),
                target);
    }

    private static boolean sameShape(ReferencePlan a, ReferencePlan b) {
        return a.hidden() == b.hidden() && a.layers() == b.layers() && a.heads() == b.heads()
                && a.kvHeads() == b.kvHeads() && a.intermediate() == b.intermediate() && a.context() == b.context()
                && Objects.equals(a.experts(), b.experts());
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
