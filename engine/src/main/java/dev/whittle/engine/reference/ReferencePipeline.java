package dev.whittle.engine.reference;

import dev.whittle.engine.Progress;
import dev.whittle.engine.corpus.ReferenceRecipe;
import dev.whittle.engine.corpus.TrainingMix;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The reference model from data to published folder: the mix tokenized once into the run folder's
 * {@value #STREAM_FILE}, training in resumable slices ({@link ReferenceTraining}), and, when the run is complete
 * (or on demand), the export: weights written to a staged folder, that folder loaded back and evaluated, the
 * card added, and the folder published in place of the old one.
 */
public final class ReferencePipeline {

    public static final String STREAM_FILE = "tokens.bin";

    /**
     * @param runDir       the run folder (checkpoints, loss log, token stream)
     * @param out          the published model folder
     * @param tokenizerDir the tokenizer files (copied into the model folder)
     * @param evalDir      the evaluation sets
     * @param wikiText     the WikiText-2 test text, or null for the project's copy on the classpath
     */
    public record Paths(Path runDir, Path out, Path tokenizerDir, Path evalDir, Path wikiText) {
    }

    private final ReferencePlan plan;
    private final Paths paths;
    private final Tokenizer tokenizer;
    private final Supplier<TrainingMix> mix;

    public ReferencePipeline(ReferencePlan plan, Paths paths, Tokenizer tokenizer, Supplier<TrainingMix> mix) {
        this.plan = plan;
        this.paths = paths;
        this.tokenizer = tokenizer;
        this.mix = mix;
    }

    /** whittle-ref: the reference plan, the recipe's mix over the natural-text cache in {@code corpusCache}. */
    public static ReferencePipeline whittleRef(Paths paths, Path corpusCache) throws IOException {
        return new ReferencePipeline(ReferencePlan.whittleRef(), paths, Tokenizer.load(paths.tokenizerDir()),
                () -> ReferenceRecipe.mix(corpusCache));
    }

    /** The packed stream, from the run folder's cache when it was made from the same mix and tokenizer. */
    public PackedStream stream(Progress progress) throws IOException {
        TrainingMix training = mix.get();
        TrainingMix.Composition c = training.composition();
        String fingerprint = "mix " + training.config() + ", documents " + new java.util.TreeMap<>(c.documents())
                + ", characters " + new java.util.TreeMap<>(c.characters()) + ", tokenizer sha256 "
                + sha256(tokenizer.file());
        return PackedStream.cached(paths.runDir().resolve(STREAM_FILE), fingerprint,
                () -> PackedStream.tokenize(training, tokenizer, fingerprint, progress));
    }

    public ReferenceTraining training(PackedStream stream) throws IOException {
        return new ReferenceTraining(plan, stream, tokenizer, paths.runDir());
    }

    /** Trains one slice; publishes the model when the run completes in it. */
    public ReferenceTraining.Outcome train(ReferenceTraining.Budget budget, PrintStream log, Progress progress)
            throws IOException {
        return train(budget, 0, log, progress);
    }

    /** As {@link #train(ReferenceTraining.Budget, PrintStream, Progress)}, with the machine's FMA ceiling given. */
    public ReferenceTraining.Outcome train(ReferenceTraining.Budget budget, double ceilingGflops, PrintStream log,
                                           Progress progress) throws IOException {
        PackedStream stream = stream(progress);
        ReferenceTraining training = training(stream);
        ReferenceTraining.Outcome outcome = training.train(budget, ceilingGflops, log);
        if (outcome.finished()) {
            publish(stream, training, log, progress);
        }
        return outcome;
    }

    /** Exports the latest checkpoint (finished or not), evaluates it and publishes it to {@code paths.out()}. */
    public Path export(PrintStream log, Progress progress) throws IOException {
        PackedStream stream = stream(progress);
        ReferenceTraining training = training(stream);
        return publish(stream, training, log, progress);
    }

    private Path publish(PackedStream stream, ReferenceTraining training, PrintStream log, Progress progress)
            throws IOException {
        long updates = training.restoreLatest();
        Path staging = ReferenceExport.stagingFor(paths.out());
        try {
            ReferenceExport.writeWeights(training.decoder(), training.config(), tokenizer, paths.tokenizerDir(), staging);
            log.printf("%s exported update %d to %s; evaluating%n", ReferenceTraining.now(), updates, staging);
            ReferenceEvaluation.Scores scores = evaluate(staging, 0, progress);
            List<LossLog.Row> losses = training.lossRows().stream().filter(r -> r.update() <= updates).toList();
            ModelCard card = new ModelCard(ModelCard.Training.of(plan, training.decoder().parameterCount(), stream,
                    training.totalUpdates(), losses), scores);
            ReferenceExport.writeCard(staging, card, losses);
            Path published = ReferenceExport.publish(staging, paths.out());
            log.printf("%s published %s: closed-book %.3f, in-context %.3f, multiple choice %.3f%n",
                    ReferenceTraining.now(), published, scores.closedBook().accuracy(), scores.inContext().accuracy(),
                    scores.multipleChoice().accuracy());
            return published;
        } finally {
            ReferenceExport.deleteRecursively(staging);
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
        ReferenceTraining training = training(stream(progress));
        training.restoreLatest();
        return ReferenceExport.writeWeights(training.decoder(), training.config(), tokenizer, paths.tokenizerDir(),
                target);
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
