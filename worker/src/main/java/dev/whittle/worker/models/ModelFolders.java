package dev.whittle.worker.models;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import dev.whittle.engine.Progress;
import dev.whittle.engine.inspect.ModelInspector;
import dev.whittle.engine.inspect.ModelReport;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.persistence.model.ModelFile;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a model folder the way registration needs it, through the engine's {@link ModelInspector}: config.json
 * must parse for a supported family, every safetensors header must be valid and agree with the index, and each
 * file is listed with its SHA-256 (one streamed pass; weights are never loaded).
 */
public final class ModelFolders {

    private ModelFolders() {
    }

    /** Describes {@code dir}, whose files (links followed) must lie inside one of {@code within}. */
    public static ModelDescription describe(Path dir, List<Path> within) {
        return describe(dir, within, false);
    }

    /**
     * As {@link #describe(Path, List)}; with {@code finiteOnly}, a folder holding NaN or infinite weights is refused,
     * naming its first such tensors (a job's output: PRUNE, DISTILL and EVALUATE refuse it as input anyway).
     */
    public static ModelDescription describe(Path dir, List<Path> within, boolean finiteOnly) {
        if (!Checkpoint.exists(dir)) {
            throw new InvalidModelFolderException(dir + " has no weights (" + Checkpoint.SINGLE_FILE + " or "
                    + Checkpoint.INDEX_FILE + ")", null);
        }
        ModelReport report;
        try {
            report = ModelInspector.inspect(dir, within, Progress.NONE);
        } catch (NoSuchFileException e) {
            String missing = e.getFile() == null ? ModelConfig.FILE_NAME : Path.of(e.getFile()).getFileName().toString();
            throw new InvalidModelFolderException(dir + " has no " + missing, e);
        } catch (ModelFormatException e) {
            throw new InvalidModelFolderException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidModelFolderException("Cannot read " + dir + ": " + e.getMessage(), e);
        }
        if (finiteOnly && report.nonFinite() > 0) {
            throw new InvalidModelFolderException(dir + " holds " + report.nonFinite() + " NaN or infinite weights ("
                    + nonFiniteTensors(report) + "); it is not registered", null);
        }
        return new ModelDescription(report.architecture().modelType(),
                JsonMapper.shared().valueToTree(report.architecture()), report.parameterCount(),
                report.files().stream().map(f -> new ModelFile(f.name(), f.bytes(), f.sha256())).toList());
    }

    /** The first few tensors holding non-finite values, with their counts. */
    private static String nonFiniteTensors(ModelReport report) {
        List<ModelReport.TensorReport> bad = report.tensors().stream().filter(t -> t.nonFinite() > 0).toList();
        String named = bad.stream().limit(3).map(t -> t.name() + ": " + t.nonFinite())
                .collect(java.util.stream.Collectors.joining(", "));
        return bad.size() > 3 ? named + " and " + (bad.size() - 3) + " more tensors" : named;
    }
}
