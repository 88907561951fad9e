package dev.whittle.engine.train;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.io.SafetensorsFile;
import dev.whittle.engine.io.SafetensorsWriter;
import dev.whittle.engine.io.TensorInfo;
import dev.whittle.engine.train.data.TrainingData;
import dev.whittle.engine.train.optim.AdamW;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The whole state of a training run in a folder, written so that a crash at any moment leaves either the
 * previous checkpoint or the new one, never a mix: the tensors (weights, AdamW moments) go to a new
 * {@code training-state-<step>.safetensors} through a temporary file and an atomic rename; then
 * {@value #STATE_FILE} (step, data position with its RNG state, loss history), which names that tensor file,
 * replaces the old one the same way. That rename is the commit; older tensor files are removed after it.
 */
public final class TrainingCheckpoint {

    public static final String STATE_FILE = "training-state.json";
    private static final int FORMAT = 1;
    private static final String TENSOR_PREFIX = "training-state-";
    private static final JsonMapper JSON = new JsonMapper();

    private TrainingCheckpoint() {
    }

    /** The scalars of a run: updates done, where the data stream stands, the loss of every update so far. */
    public record State(long step, TrainingData.Position data, List<Double> losses) {
        public State {
            losses = List.copyOf(losses);
        }
    }

    /** What {@value #STATE_FILE} holds. */
    record Scalars(int format, long step, String tensors, TrainingData.Position data, List<Double> losses) {
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    /** Writes every parameter's values and the optimiser's moments with {@code state}, atomically. */
    public static void save(Path dir, ParameterSet parameters, AdamW optimizer, State state) throws IOException {
        if (state.step() != optimizer.step()) {
            throw new IllegalArgumentException("state at step " + state.step() + " but the optimiser made "
                    + optimizer.step() + " updates");
        }
        Files.createDirectories(dir);
        List<OutputTensor> tensors = new ArrayList<>();
        for (Parameter p : parameters.all()) {
            long[] shape = Arrays.stream(p.shape()).asLongStream().toArray();
            tensors.add(OutputTensor.of("weights/" + p.name(), DType.F32, shape, p.value()));
            if (p.isTrainable()) {
                tensors.add(OutputTensor.of("adam_m/" + p.name(), DType.F32, shape, optimizer.firstMoment(p)));
                tensors.add(OutputTensor.of("adam_v/" + p.name(), DType.F32, shape, optimizer.secondMoment(p)));
            }
        }
        String tensorFile = String.format("%s%010d.safetensors", TENSOR_PREFIX, state.step());
        Path tensorTemp = dir.resolve(tensorFile + ".tmp");
        SafetensorsWriter.write(tensorTemp, tensors, Map.of("whittle", "training-state"));
        commit(tensorTemp, dir.resolve(tensorFile));

        Path stateTemp = dir.resolve(STATE_FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(stateTemp.toFile(),
                new Scalars(FORMAT, state.step(), tensorFile, state.data(), state.losses()));
        commit(stateTemp, dir.resolve(STATE_FILE));

        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, TENSOR_PREFIX + "*")) {
            for (Path file : old) {
                if (!file.getFileName().toString().equals(tensorFile)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * Copies the checkpoint's weights and moments into {@code parameters} and {@code optimizer} (which must be
     * the run's: the same names and shapes) and returns its scalars. Fails naming the tensor that is missing or
     * of another shape.
     */
    public static State restore(Path dir, ParameterSet parameters, AdamW optimizer) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        Scalars scalars;
        try {
            scalars = JSON.readValue(stateFile.toFile(), Scalars.class);
        } catch (RuntimeException e) {
            throw new IOException(stateFile + ": not a readable training state: " + e.getMessage(), e);
        }
        if (scalars.format() != FORMAT) {
            throw new IOException(stateFile + ": training state format " + scalars.format() + ", this engine reads " + FORMAT);
        }
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(scalars.tensors()))) {
            for (Parameter p : parameters.all()) {
                read(file, "weights/" + p.name(), p, p.value());
                if (p.isTrainable()) {
                    read(file, "adam_m/" + p.name(), p, optimizer.firstMoment(p));
                    read(file, "adam_v/" + p.name(), p, optimizer.secondMoment(p));
                }
            }
        }
        optimizer.restoreStep(scalars.step());
        return new State(scalars.step(), scalars.data(), scalars.losses());
    }

    private static void read(SafetensorsFile file, String name, Parameter p, float[] into) {
        if (!file.contains(name)) {
            throw new IllegalArgumentException(file.path() + " has no tensor " + name
                    + ": the checkpoint is of another model or another set of trainable parameters");
        }
        TensorInfo info = file.info(name);
        long[] expected = Arrays.stream(p.shape()).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), expected) || info.dtype() != DType.F32) {
            throw new IllegalArgumentException(file.path() + ": " + name + " is " + info.dtype() + " "
                    + Arrays.toString(info.shape()) + ", the run has F32 " + Arrays.toString(expected));
        }
        float[] values = file.floats(name);
        System.arraycopy(values, 0, into, 0, values.length);
    }

    /** Flushes {@code temp} to the disk and renames it to {@code target} in one step. */
    private static void commit(Path temp, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
