package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.bench.FmaCeiling;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.DecoderTraining;
import dev.whittle.engine.train.Initialisation;
import dev.whittle.engine.train.Upcycling;
import dev.whittle.engine.train.Trainer;
import dev.whittle.engine.train.TrainingCheckpoint;
import dev.whittle.engine.train.data.TokenWindows;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Trains a reference model in a run folder, in slices that may span many processes: one pass over a
 * {@link PackedStream} in windows of the plan's context, AdamW with warmup and a cosine to the planned number of
 * updates, global-norm clipping. The folder holds
 * <ul>
 *   <li>{@value #RUN_FILE}: the plan and the stream's fingerprint (a folder trains one model);</li>
 *   <li>{@value #CHECKPOINT_DIR}/: the {@link TrainingCheckpoint} (weights, moments, step, data position), written
 *       every {@code checkpointEvery} of wall time, when the slice's time is up, and at the end;</li>
 *   <li>{@value #LOSS_FILE}: the {@link LossLog}.</li>
 * </ul>
 * A slice continues from the checkpoint; updates after it that a killed process had made are made again, with
 * the same losses, because the data position and every kernel are deterministic. Periodic checkpoints use the
 * trainer's cancellation: the trainer saves when asked to stop, and the next segment resumes from that save.
 */
public final class ReferenceTraining {

    public static final String RUN_FILE = "run.json";
    public static final String CHECKPOINT_DIR = "checkpoint";
    public static final String LOSS_FILE = "loss.csv";
    private static final JsonMapper JSON = new JsonMapper();
    private static final int LOG_EVERY = 10;

    /**
     * How long this slice may go on.
     *
     * @param maxTime         wall time of the slice (it stops at the first update boundary after it)
     * @param maxUpdates      updates in this slice, 0 for no limit
     * @param checkpointEvery wall time between checkpoints
     */
    public record Budget(Duration maxTime, long maxUpdates, Duration checkpointEvery) {
        public static Budget minutes(double minutes, double checkpointMinutes) {
            return new Budget(Duration.ofMillis((long) (minutes * 60_000)), 0,
                    Duration.ofMillis((long) (checkpointMinutes * 60_000)));
        }
    }

    /** Where a slice left the run. */
    public record Outcome(long updates, long totalUpdates, double trainingSeconds, boolean finished) {
    }

    /**
     * What {@value #RUN_FILE} holds; {@code startsFrom} is the checkpoint folder of the weights it began with
     * (relative to the run folder's parent), or null.
     */
    record RunFile(ReferencePlan plan, String fingerprint, long totalUpdates, String startsFrom) {
    }

    private final ReferencePlan plan;
    private final PackedStream stream;
    private final ModelConfig config;
    private final Path runDir;
    private final long totalUpdates;
    private final Decoder decoder;
    private final DecoderTraining model;

    /** A run from random weights. */
    public ReferenceTraining(ReferencePlan plan, PackedStream stream, Tokenizer tokenizer, Path runDir) throws IOException {
        this(plan, stream, tokenizer, runDir, null);
    }

    /**
     * A run that starts from the weights of the checkpoint in {@code startFrom} (another run's
     * {@value #CHECKPOINT_DIR} folder; its optimiser moments are not taken), from a dense model folder's weights
     * {@link Upcycling upcycled} to this MoE plan, or from random weights when null.
     * Once this run has a checkpoint of its own, it continues from that.
     */
    public ReferenceTraining(ReferencePlan plan, PackedStream stream, Tokenizer tokenizer, Path runDir, Path startFrom)
            throws IOException {
        this(plan, stream, tokenizer, runDir, startFrom, 0);
    }

    /** As above, stopping after {@code maxUpdates} updates when that is fewer than one pass (0: one pass). */
    public ReferenceTraining(ReferencePlan plan, PackedStream stream, Tokenizer tokenizer, Path runDir, Path startFrom,
                             long maxUpdates) throws IOException {
        this.plan = plan;
        this.stream = stream;
        this.config = plan.modelConfig(tokenizer);
        this.runDir = runDir;
        long onePass = stream.windows(plan).windowCount() / plan.sequences();
        this.totalUpdates = maxUpdates > 0 ? Math.min(maxUpdates, onePass) : onePass;
        claimRunFolder(startFrom == null ? null : runDir.toAbsolutePath().normalize().getParent()
                .relativize(startFrom.toAbsolutePath().normalize()).toString());
        this.decoder = startFrom != null && isModelFolder(startFrom) ? upcycled(startFrom)
                : Initialisation.randomDecoder(config, plan.seed());
        this.model = new DecoderTraining(decoder, DecoderParameters.of(decoder), plan.routerLosses());
        if (startFrom != null && !isModelFolder(startFrom) && !TrainingCheckpoint.exists(runDir.resolve(CHECKPOINT_DIR))) {
            if (!TrainingCheckpoint.exists(startFrom)) {
                throw new IllegalStateException(runDir + " starts from the weights in " + startFrom + ", which holds no checkpoint");
            }
            restoreWeights(startFrom);
        }
    }

    private static boolean isModelFolder(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    /** A MoE plan's weights made from the dense model folder {@code dense} ({@link Upcycling}). */
    private Decoder upcycled(Path dense) throws IOException {
        try (Checkpoint weights = Checkpoint.open(dense)) {
            return Upcycling.decoder(weights, ModelConfig.load(dense), config, plan.seed());
        }
    }

    /** Refuses a run folder started with another plan, on another stream or from other weights. */
    private void claimRunFolder(String startsFrom) throws IOException {
        Files.createDirectories(runDir);
        Path file = runDir.resolve(RUN_FILE);
        RunFile mine = new RunFile(plan, stream.fingerprint(), totalUpdates, startsFrom);
        if (Files.isRegularFile(file)) {
            RunFile theirs = JSON.readValue(file.toFile(), RunFile.class);
            if (!theirs.equals(mine)) {
                throw new IllegalArgumentException(runDir + " holds a run of another plan or data stream ("
                        + theirs.plan() + ", " + theirs.fingerprint() + ", starting from " + theirs.startsFrom()
                        + "); use another --run-dir or remove it");
            }
            return;
        }
        Path temp = runDir.resolve(RUN_FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), mine);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public ModelConfig config() {
        return config;
    }

    public long totalUpdates() {
        return totalUpdates;
    }

    /** The model's weights as they stand (after {@link #train}, or as restored by {@link #restoreLatest}). */
    public Decoder decoder() {
        return decoder;
    }

    public Path lossFile() {
        return runDir.resolve(LOSS_FILE);
    }

    /** Whether the run has made all its updates. */
    public boolean finished() throws IOException {
        return checkpointedUpdates(runDir) >= totalUpdates;
    }

    /** Updates done according to the checkpoint in {@code runDir} (0 when there is none). */
    public static long checkpointedUpdates(Path runDir) throws IOException {
        Path state = runDir.resolve(CHECKPOINT_DIR).resolve(TrainingCheckpoint.STATE_FILE);
        if (!Files.isRegularFile(state)) {
            return 0;
        }
        JsonNode step = JSON.readTree(state.toFile()).get("step");
        if (step == null || !step.isNumber()) {
            throw new IOException(state + ": no step field");
        }
        return step.asLong();
    }

    /** Loads the checkpoint's weights into {@link #decoder()}; returns its update count (0: fresh weights). */
    public long restoreLatest() throws IOException {
        Path dir = runDir.resolve(CHECKPOINT_DIR);
        if (!TrainingCheckpoint.exists(dir)) {
            return 0;
        }
        return restoreWeights(dir);
    }

    /** Loads the weights of the checkpoint in {@code dir} (its optimiser moments go to a scratch optimiser). */
    private long restoreWeights(Path dir) throws IOException {
        AdamW scratch = new AdamW(model.parameters(), plan.optimizer());
        return TrainingCheckpoint.restore(dir, model.parameters(), scratch).step();
    }

    /** Trains until the budget is spent or the run is complete, with the ceiling measured now. */
    public Outcome train(Budget budget, PrintStream log) throws IOException {
        return train(budget, 0, log);
    }

    /**
     * Trains until the budget is spent or the run is complete; progress lines go to {@code log}.
     * {@code ceilingGflops} is the machine's FMA ceiling for the throughput ratio (the quiet machine's, from
     * {@code ./whittle bench}); 0 measures it now, which under load gives a lower number than the machine's.
     */
    public Outcome train(Budget budget, double ceilingGflops, PrintStream log) throws IOException {
        Path checkpoints = runDir.resolve(CHECKPOINT_DIR);
        long resumed = checkpointedUpdates(runDir);
        LossLog losses = LossLog.open(lossFile(), resumed);
        double ceiling = ceilingGflops > 0 ? ceilingGflops : FmaCeiling.measureGflops(0.5);
        double flopsPerToken = model.trainingFlopsPerToken(plan.context());
        log.printf(Locale.ROOT, "%s %s: %,d parameters, %,d updates of %,d tokens (%,d tokens), %s at update %d; "
                        + "%.1f MFLOP per token; FMA ceiling %.0f GFLOPS (%s)%n", now(), runDir,
                decoder.parameterCount(), totalUpdates, plan.tokensPerUpdate(), totalUpdates * plan.tokensPerUpdate(),
                resumed == 0 ? "starting" : "resuming", resumed, flopsPerToken / 1e6, ceiling,
                ceilingGflops > 0 ? "given" : "measured now, under the machine's current load");
        Trainer.Config trainerConfig = new Trainer.Config(totalUpdates, 1,
                new LearningRateSchedule(plan.peakLr(), plan.minLr(), Math.min(plan.warmupUpdates(), totalUpdates),
                        totalUpdates),
                plan.optimizer(), plan.maxGradNorm(), checkpoints, 0, LOG_EVERY, ceiling);
        SliceClock clock = new SliceClock(budget, losses.seconds(), resumed);
        Reporter reporter = new Reporter(log, losses, clock, flopsPerToken, ceiling);
        while (true) {
            TokenWindows windows = stream.windows(plan);
            Trainer trainer = new Trainer(model, windows, trainerConfig);
            try {
                trainer.run(clock, reporter::onStep);
                log.printf(Locale.ROOT, "%s finished: %d updates, %.0f s of training%n", now(), totalUpdates,
                        clock.trainingSeconds());
                return new Outcome(totalUpdates, totalUpdates, clock.trainingSeconds(), true);
            } catch (Progress.Cancelled stopped) {
                clock.checkpointed();
                log.printf(Locale.ROOT, "%s checkpoint at update %d%n", now(), clock.updates);
                if (clock.sliceOver()) {
                    log.printf(Locale.ROOT, "%s slice over at update %d of %d (%.0f s of training so far)%n", now(),
                            clock.updates, totalUpdates, clock.trainingSeconds());
                    return new Outcome(clock.updates, totalUpdates, clock.trainingSeconds(), false);
                }
            }
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * The slice's time and update budget as the trainer's cancellation: it asks the trainer to stop (which
     * saves) when the slice is over or a checkpoint is due.
     */
    private static final class SliceClock implements Progress {
        private final Budget budget;
        private final long start = System.nanoTime();
        private final double secondsBefore;
        private final long firstUpdate;
        private long lastCheckpoint = start;
        private long updates;
        private long updatesAtCheckpoint;

        SliceClock(Budget budget, double secondsBefore, long resumed) {
            this.budget = budget;
            this.secondsBefore = secondsBefore;
            this.firstUpdate = resumed;
            this.updates = resumed;
            this.updatesAtCheckpoint = resumed;
        }

        @Override
        public void report(String stage, long done, long total, String message) {
        }

        @Override
        public boolean cancelRequested() {
            return sliceOver() || (updates > updatesAtCheckpoint
                    && Duration.ofNanos(System.nanoTime() - lastCheckpoint).compareTo(budget.checkpointEvery()) >= 0);
        }

        boolean sliceOver() {
            return Duration.ofNanos(System.nanoTime() - start).compareTo(budget.maxTime()) >= 0
                    || (budget.maxUpdates() > 0 && updates - firstUpdate >= budget.maxUpdates());
        }

        void checkpointed() {
            lastCheckpoint = System.nanoTime();
            updatesAtCheckpoint = updates;
        }

        double trainingSeconds() {
            return secondsBefore + (System.nanoTime() - start) / 1e9;
        }
    }

    /** Appends each update to the loss log and prints a progress line every few updates. */
    private final class Reporter {
        private final PrintStream log;
        private final LossLog losses;
        private final SliceClock clock;
        private final double flopsPerToken;
        private final double ceiling;
        private long windowStart = System.nanoTime();
        private long windowTokens;
        private double windowLoss;
        private int windowUpdates;

        Reporter(PrintStream log, LossLog losses, SliceClock clock, double flopsPerToken, double ceiling) {
            this.log = log;
            this.losses = losses;
            this.clock = clock;
            this.flopsPerToken = flopsPerToken;
            this.ceiling = ceiling;
        }

        void onStep(Trainer.Step step) {
            clock.updates = step.step();
            losses.append(new LossLog.Row(step.step(), step.step() * plan.tokensPerUpdate(), step.loss(),
                    step.gradNorm(), step.learningRate(), step.throughput().tokensPerSecond(), clock.trainingSeconds()));
            windowTokens += step.throughput().tokens();
            windowLoss += step.loss();
            windowUpdates++;
            if (step.step() % LOG_EVERY != 0 && step.step() != totalUpdates) {
                return;
            }
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            double tokensPerSecond = windowTokens / seconds;
            double gflops = tokensPerSecond * flopsPerToken / 1e9;
            long remaining = (totalUpdates - step.step()) * plan.tokensPerUpdate();
            log.printf(Locale.ROOT, "%s update %d/%d (%.1f%%, %.2fM tokens) loss %.4f (mean of last %d: %.4f) "
                            + "lr %.3g grad norm %.3g | %.0f tokens/s, %.1f GFLOPS, %.2f of the %.0f GFLOPS ceiling | "
                            + "trained %s, ETA %s%n", now(), step.step(), totalUpdates, 100.0 * step.step() / totalUpdates,
                    step.step() * plan.tokensPerUpdate() / 1e6, step.loss(), windowUpdates, windowLoss / windowUpdates,
                    step.learningRate(), step.gradNorm(), tokensPerSecond, gflops, gflops / ceiling, ceiling,
                    hours(clock.trainingSeconds()), hours(remaining / tokensPerSecond));
            log.flush();
            windowStart = System.nanoTime();
            windowTokens = 0;
            windowLoss = 0;
            windowUpdates = 0;
        }
    }

    static String hours(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** The whole run's loss log (for the card and the curve). */
    public List<LossLog.Row> lossRows() throws IOException {
        return Files.isRegularFile(lossFile()) ? LossLog.read(lossFile()) : List.of();
    }
}
