package dev.whittle.engine.merge;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.io.TensorInfo;
import dev.whittle.engine.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Merges model folders of one architecture into a new folder, one tensor at a time (memory: one tensor of each
 * model). The config and tokenizer files are the first model's. Every model (and the base) must have the same
 * architecture, tensor names and shapes (a different vocabulary shows as the embedding's shape); the first
 * difference is refused as a {@link MergeMismatch} naming the tensor.
 * <pre>{@code
 * ModelMerge.merge(List.of(a, b), null, new MergeMethod.Slerp(0.5), target, progress);
 * ModelMerge.merge(List.of(a, b), base, new MergeMethod.Ties(0.5, List.of(1.0, 1.0)), target, progress);
 * }</pre>
 */
public final class ModelMerge {

    private ModelMerge() {
    }

    /**
     * Checks and writes the merge; {@code base} is required by {@code ties} and ignored (may be null) otherwise.
     * Returns the written folder.
     */
    public static Path merge(List<Path> models, Path base, MergeMethod method, Path target, Progress progress)
            throws IOException {
        try (Inputs inputs = Inputs.open(folders(models, base, method))) {
            Checkpoint first = inputs.checkpoints().getFirst();
            List<OutputTensor> tensors = new ArrayList<>();
            for (String name : new TreeSet<>(first.names())) {
                TensorInfo info = first.info(name);
                tensors.add(OutputTensor.of(name, info.dtype(), info.shape(),
                        () -> mergeTensor(name, inputs.checkpoints(), models.size(), method)));
            }
            return ModelFolderWriter.to(target).config(inputs.configs().getFirst()).copyFilesFrom(models.getFirst())
                    .metadata(Map.of("whittle", "merge")).progress(progress).write(tensors);
        }
    }

    /**
     * The checks {@link #merge} makes before it writes anything (model count, base, one architecture, the same tensor
     * names and shapes), from the configs and safetensors headers alone: no weight is read.
     */
    public static void check(List<Path> models, Path base, MergeMethod method) throws IOException {
        compatible(folders(models, base, method));
    }

    /**
     * Checks that model folders could be merged with one another, whatever the recipe: one architecture, the same
     * tensor names and shapes (so the same vocabulary size). Reads configs and safetensors headers only. Throws
     * {@link MergeMismatch} naming the first tensor (or config field) where a folder differs from the first.
     */
    public static void compatible(List<Path> folders) throws IOException {
        Inputs.open(folders).close();
    }

    /** The folders a merge reads: the models, then the base when the recipe takes one. */
    private static List<Path> folders(List<Path> models, Path base, MergeMethod method) {
        method.checkModelCount(models.size());
        if (method.needsBase() && base == null) {
            throw new IllegalArgumentException("this merge takes task vectors against a base model: give one");
        }
        List<Path> all = new ArrayList<>(models);
        if (method.needsBase()) {
            all.add(base);
        }
        return all;
    }

    /** The folders' configs and opened weights, checked to agree. */
    private record Inputs(List<ModelConfig> configs, List<Checkpoint> checkpoints) implements AutoCloseable {

        static Inputs open(List<Path> dirs) throws IOException {
            List<ModelConfig> configs = new ArrayList<>();
            for (Path dir : dirs) {
                configs.add(ModelConfig.load(dir.resolve(ModelConfig.FILE_NAME)));
            }
            checkConfigs(dirs, configs);
            Inputs inputs = new Inputs(configs, new ArrayList<>());
            try {
                for (Path dir : dirs) {
                    inputs.checkpoints().add(Checkpoint.open(dir));
                }
                checkTensors(dirs, inputs.checkpoints());
                return inputs;
            } catch (IOException | RuntimeException e) {
                inputs.close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (Checkpoint checkpoint : checkpoints) {
                checkpoint.close();
            }
        }
    }

    private static float[] mergeTensor(String name, List<Checkpoint> checkpoints, int models, MergeMethod method) {
        List<float[]> values = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            values.add(checkpoints.get(i).floats(name));
        }
        return switch (method) {
            case MergeMethod.Linear linear -> MergeMath.linear(values, linear.weights());
            case MergeMethod.Slerp slerp -> MergeMath.slerp(values.get(0), values.get(1), slerp.t());
            case MergeMethod.Ties ties -> MergeMath.ties(checkpoints.get(models).floats(name), values, ties.weights(),
                    ties.density());
        };
    }

    private static void checkConfigs(List<Path> dirs, List<ModelConfig> configs) {
        ModelConfig first = configs.getFirst();
        for (int i = 1; i < configs.size(); i++) {
            ModelConfig other = configs.get(i);
            if (!first.architecture().equals(other.architecture())) {
                throw new MergeMismatch("config.json:architectures", i, dirs.get(i) + " is a " + other.architecture()
                        + ", " + dirs.getFirst() + " a " + first.architecture() + ": only one architecture merges");
            }
        }
    }

    private static void checkTensors(List<Path> dirs, List<Checkpoint> checkpoints) {
        Checkpoint first = checkpoints.getFirst();
        for (int i = 1; i < checkpoints.size(); i++) {
            Checkpoint other = checkpoints.get(i);
            for (String name : new TreeSet<>(first.names())) {
                if (!other.contains(name)) {
                    throw new MergeMismatch(name, i, dirs.get(i) + " has no tensor " + name + ", which "
                            + dirs.getFirst() + " has");
                }
                long[] a = first.info(name).shape();
                long[] b = other.info(name).shape();
                if (!Arrays.equals(a, b)) {
                    throw new MergeMismatch(name, i, name + " is " + Arrays.toString(b) + " in " + dirs.get(i) + " but "
                            + Arrays.toString(a) + " in " + dirs.getFirst());
                }
            }
            for (String name : new TreeSet<>(other.names())) {
                if (!first.contains(name)) {
                    throw new MergeMismatch(name, i, dirs.getFirst() + " has no tensor " + name + ", which "
                            + dirs.get(i) + " has");
                }
            }
        }
    }
}
