package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.testing.TestTokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calibration text, tensor reading and activation capture shared by the pipeline tests. */
final class PruneFixtures {

    private PruneFixtures() {
    }

    /** English text several times longer than the test windows. */
    static Path calibrationText(Path dir) throws IOException {
        Path file = dir.resolve("calibration.txt");
        if (!Files.exists(file)) {
            Files.writeString(file, (TestTokenizers.TRAINING_TEXT + "\n\n").repeat(6));
        }
        return file;
    }

    /** {@link #calibrationText} as the source of calibration windows. */
    static CalibrationSource textSource(Path dir) throws IOException {
        return new CalibrationSource.TextFile(calibrationText(dir));
    }

    /** {@code samples} windows of {@code length} tokens, seed 3, from a dataset (the test's text file). */
    static Calibration calibration(int samples, int length) {
        return new Calibration("calibration.txt", null, null, samples, length, 3L);
    }

    static PruneParameters.Magnitude magnitude(Double sparsity, NmSparsity nm, MagnitudePruning.Scope scope) {
        return new PruneParameters.Magnitude(sparsity, nm, scope, null, null, null);
    }

    static PruneParameters.Wanda wanda(Double sparsity, NmSparsity nm, Calibration calibration) {
        return new PruneParameters.Wanda(sparsity, nm, null, null, calibration, null, null, null, null);
    }

    static PruneParameters.SparseGpt sparseGpt(Double sparsity, NmSparsity nm, Calibration calibration) {
        return new PruneParameters.SparseGpt(sparsity, nm, null, null, null, null, calibration, null, null, null, null);
    }

    /** Every tensor of a model folder, widened to fp32, by name. */
    static Map<String, float[]> tensors(Path model) throws IOException {
        Map<String, float[]> all = new LinkedHashMap<>();
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            for (String name : checkpoint.names()) {
                all.put(name, checkpoint.floats(name));
            }
        }
        return all;
    }

    /**
     * The inputs of linear layer {@code linear}, {@code [tokens x in]} stacked over every window, captured while
     * {@code decoder} runs the windows one by one.
     */
    static float[] capturedInputs(Decoder decoder, CalibrationWindows windows, String linear) {
        List<float[]> parts = new ArrayList<>();
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public void linearInput(String name, float[] x, int offset, int rows, int cols) {
                if (name.equals(linear)) {
                    float[] copy = new float[rows * cols];
                    System.arraycopy(x, offset, copy, 0, copy.length);
                    parts.add(copy);
                }
            }
        };
        ForwardState state = ForwardState.forInference();
        for (int[] window : windows.windows()) {
            decoder.forward(Batch.of(window), state, hooks);
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] all = new float[total];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }

    /** Records every report. */
    static final class Recorder implements Progress {
        final List<String> reports = new ArrayList<>();

        @Override
        public void report(String stage, long done, long total, String message) {
            reports.add(stage + " " + done + "/" + total);
        }
    }
}
