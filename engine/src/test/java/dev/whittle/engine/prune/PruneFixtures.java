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

    static CalibrationSettings calibration(Path dir, int samples, int length) throws IOException {
        return new CalibrationSettings(new CalibrationSource.TextFile(calibrationText(dir)), samples, length, 3);
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
