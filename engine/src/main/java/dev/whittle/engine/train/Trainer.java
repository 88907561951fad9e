package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.train.data.TrainingData;
import dev.whittle.engine.train.data.TrainingBatch;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.GradientClipping;
import dev.whittle.engine.train.optim.LearningRateSchedule;
import dev.whittle.engine.train.optim.ParameterSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The training loop: each update draws {@code accumulation} micro-batches from the data (token windows, or
 * prompt/response examples), adds up their
 * gradients (the loss is the mean over every scored token of the whole update), clips the global norm, and
 * applies AdamW at the schedule's rate. Throughput is reported as it goes; the full state is checkpointed
 * every {@code checkpointEvery} updates, at the end, and when the run is cancelled, and a run whose folder
 * holds a checkpoint continues from it with the losses the uninterrupted run would have had. Progress reports
 * say the update (i of n), the loss, the held-out loss when {@link #validateOn} is set, tokens per second and the
 * time left; cancellation is honoured between updates.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /**
     * @param steps           updates of the whole run (the schedule should end there)
     * @param accumulation    micro-batches per update
     * @param maxGradNorm     global-norm clipping bound; 0 for none
     * @param checkpointDir   where the state is kept; null for a run that is never saved
     * @param checkpointEvery updates between checkpoints (0: only at the end and on cancellation)
     * @param reportEvery     updates between throughput reports
     * @param ceilingGflops   this machine's FP32 FMA ceiling for the throughput ratio; 0 if not measured
     */
    public record Config(long steps, int accumulation, LearningRateSchedule schedule, AdamW.Config optimizer,
                         double maxGradNorm, Path checkpointDir, long checkpointEvery, long reportEvery,
                         double ceilingGflops) {
        public Config {
            if (steps < 0 || accumulation < 1 || checkpointEvery < 0 || reportEvery < 1 || maxGradNorm < 0) {
                throw new IllegalArgumentException("need steps >= 0, accumulation >= 1, checkpointEvery >= 0, "
                        + "reportEvery >= 1 and maxGradNorm >= 0");
            }
        }
    }

    /**
     * One update: its number (from 1), mean loss over the scored tokens, gradient norm before clipping, rate, and
     * the mean loss on the held-out batches when it was measured after this update (NaN otherwise).
     */
    public record Step(long step, double loss, double gradNorm, double learningRate, int scoredTokens,
                       Throughput throughput, double validationLoss) {
    }

    private final TrainableModel model;
    private final ParameterSet parameters;
    private final TrainingData data;
    private final Config config;
    private final AdamW optimizer;
    private final List<Double> losses = new ArrayList<>();
    private List<TrainingBatch> heldOut = List.of();
    private long validateEvery;

    public Trainer(TrainableModel model, TrainingData data, Config config) {
        this.model = model;
        this.parameters = model.parameters();
        this.data = data;
        this.config = config;
        this.optimizer = new AdamW(parameters, config.optimizer());
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * Measures the mean loss over {@code batches} (held out from training) every {@code every} updates and after
     * the last one; it is reported with the step and in the progress message.
     */
    public Trainer validateOn(List<TrainingBatch> batches, long every) {
        if (every < 1) {
            throw new IllegalArgumentException("validation every " + every + " updates: need at least 1");
        }
        this.heldOut = List.copyOf(batches);
        this.validateEvery = every;
        return this;
    }

    /** The mean loss over the scored tokens of the held-out batches (NaN when there are none). */
    public double validationLoss() {
        double sum = 0;
        long scored = 0;
        for (TrainingBatch batch : heldOut) {
            sum += model.loss(batch);
            scored += batch.scoredTokens();
        }
        return scored == 0 ? Double.NaN : sum / scored;
    }

    /** The loss of every update so far, resumed ones included. */
    public List<Double> losses() {
        return List.copyOf(losses);
    }

    /**
     * Continues from the checkpoint folder if it holds a state, then trains up to {@code config.steps()} updates.
     * Each update is passed to {@code onStep}. On cancellation the state is saved before
     * {@link Progress.Cancelled} propagates.
     */
    public void run(Progress progress, Consumer<Step> onStep) {
        Path dir = config.checkpointDir();
        if (dir != null && TrainingCheckpoint.exists(dir)) {
            TrainingCheckpoint.State state = io(() -> TrainingCheckpoint.restore(dir, parameters, optimizer));
            data.seek(state.data());
            losses.clear();
            losses.addAll(state.losses());
            LOG.info("resumed {} at update {} of {}", dir, state.step(), config.steps());
        }
        checkMemory();
        int context = data.length();
        double flopsPerToken = model.trainingFlopsPerToken(context);
        // Throughput over the updates since the last report, counting compute only (not checkpoint writes).
        long windowTokens = 0;
        double windowSeconds = 0;
        long startStep = optimizer.step();
        long started = System.nanoTime();
        double lastValidation = Double.NaN;
        while (optimizer.step() < config.steps()) {
            if (progress.cancelRequested()) {
                saveIfConfigured();
                throw new Progress.Cancelled();
            }
            Step step = update(flopsPerToken);
            long done = step.step();
            if (!heldOut.isEmpty() && (done % validateEvery == 0 || done == config.steps())) {
                lastValidation = validationLoss();
                step = new Step(step.step(), step.loss(), step.gradNorm(), step.learningRate(), step.scoredTokens(),
                        step.throughput(), lastValidation);
            }
            windowTokens += step.throughput().tokens();
            windowSeconds += step.throughput().seconds();
            onStep.accept(step);
            if (done % config.reportEvery() == 0 || done == config.steps()) {
                Throughput recent = new Throughput(windowTokens, windowSeconds, flopsPerToken, config.ceilingGflops());
                double secondsPerStep = (System.nanoTime() - started) / 1e9 / (done - startStep);
                String validation = Double.isNaN(lastValidation) ? ""
                        : String.format(Locale.ROOT, ", validation loss %.4f", lastValidation);
                String message = String.format(Locale.ROOT, "loss %.4f%s, lr %.3g, grad norm %.3g, %s, %.0f s left",
                        step.loss(), validation, step.learningRate(), step.gradNorm(), recent,
                        secondsPerStep * (config.steps() - done));
                LOG.info("update {}/{}: {}", done, config.steps(), message);
                progress.report("train", done, config.steps(), message);
                windowTokens = 0;
                windowSeconds = 0;
            }
            if (config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0 && done < config.steps()) {
                saveIfConfigured();
            }
        }
        saveIfConfigured();
    }

    /**
     * Refuses, with the sizes, a micro-batch whose activations cannot fit beside the parameters, gradients and
     * moments (all allocated by now): better than an OutOfMemoryError halfway through the first step.
     */
    private void checkMemory() {
        long parameterBytes = 0;
        for (var p : parameters.all()) {
            parameterBytes += (long) Float.BYTES * p.size() * (p.isTrainable() ? 4 : 1);
        }
        long activations = model.activationBytes(data.sequences(), data.length());
        long max = Runtime.getRuntime().maxMemory();
        if (parameterBytes + activations > max) {
            throw new IllegalStateException(String.format(Locale.ROOT, "a micro-batch of %d x %d tokens needs %.0f MiB "
                            + "of activations beside %.0f MiB of weights, gradients and moments, more than the %.0f MiB "
                            + "heap: use fewer sequences per micro-batch (and more accumulation) or a larger -Xmx",
                    data.sequences(), data.length(), activations / 1048576.0, parameterBytes / 1048576.0,
                    max / 1048576.0));
        }
    }

    private Step update(double flopsPerToken) {
        long start = System.nanoTime();
        List<TrainingBatch> batches = new ArrayList<>(config.accumulation());
        int scored = 0;
        long tokens = 0;
        for (int i = 0; i < config.accumulation(); i++) {
            TrainingBatch batch = data.next();
            batches.add(batch);
            scored += batch.scoredTokens();
            tokens += batch.tokens();
        }
        // The mean over every scored token of the update, however the tokens fall into micro-batches.
        float scale = 1f / Math.max(1, scored);
        parameters.zeroGrads();
        double lossSum = 0;
        for (TrainingBatch batch : batches) {
            lossSum += model.accumulateGradients(batch, scale);
        }
        double loss = lossSum / Math.max(1, scored);
        double norm = config.maxGradNorm() > 0
                ? GradientClipping.clip(parameters, config.maxGradNorm())
                : GradientClipping.globalNorm(parameters);
        double lr = config.schedule().at(optimizer.step());
        optimizer.update(lr);
        losses.add(loss);
        Throughput throughput = new Throughput(tokens, (System.nanoTime() - start) / 1e9, flopsPerToken,
                config.ceilingGflops());
        return new Step(optimizer.step(), loss, norm, lr, scored, throughput, Double.NaN);
    }

    private void saveIfConfigured() {
        if (config.checkpointDir() != null) {
            io(() -> {
                TrainingCheckpoint.save(config.checkpointDir(), parameters, optimizer,
                        new TrainingCheckpoint.State(optimizer.step(), data.position(), losses));
                return null;
            });
        }
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private static <T> T io(IoAction<T> action) {
        try {
            return action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
