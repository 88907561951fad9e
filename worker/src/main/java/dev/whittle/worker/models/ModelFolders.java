package dev.whittle.worker.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.io.TensorInfo;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeConfig;
import dev.whittle.persistence.model.ModelFile;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a model folder the way registration needs it: config.json must parse for a supported family, every
 * safetensors header must be valid and agree with the index; then each file is listed with its SHA-256.
 * Only headers are read for validation; checksums stream each file once.
 */
public final class ModelFolders {

    private ModelFolders() {
    }

    public static ModelDescription describe(Path dir) {
        ModelConfig config;
        try {
            config = ModelConfig.load(dir);
        } catch (NoSuchFileException e) {
            throw new InvalidModelFolderException(dir + " has no " + ModelConfig.FILE_NAME, e);
        } catch (ModelFormatException e) {
            throw new InvalidModelFolderException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidModelFolderException("Cannot read " + dir.resolve(ModelConfig.FILE_NAME) + ": " + e.getMessage(), e);
        }
        if (!Checkpoint.exists(dir)) {
            throw new InvalidModelFolderException(dir + " has no weights (" + Checkpoint.SINGLE_FILE + " or "
                    + Checkpoint.INDEX_FILE + ")", null);
        }
        long parameters = 0;
        try (Checkpoint weights = Checkpoint.open(dir)) {
            for (String name : weights.names()) {
                TensorInfo info = weights.info(name);
                parameters = Math.addExact(parameters, info.numel());
            }
        } catch (ModelFormatException e) {
            throw new InvalidModelFolderException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidModelFolderException("Cannot read the weights in " + dir + ": " + e.getMessage(), e);
        }
        try {
            return new ModelDescription(config.family().modelType(), architecture(config), parameters, files(dir));
        } catch (IOException e) {
            throw new InvalidModelFolderException("Cannot read the files of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The config's structural fields, normalised across families. */
    static ObjectNode architecture(ModelConfig config) {
        ObjectNode a = JsonMapper.shared().createObjectNode();
        a.put("architecture", config.architecture());
        a.put("modelType", config.family().modelType());
        a.put("layers", config.numHiddenLayers());
        a.put("hiddenSize", config.hiddenSize());
        a.put("intermediateSize", config.intermediateSize());
        a.put("attentionHeads", config.numAttentionHeads());
        a.put("keyValueHeads", config.numKeyValueHeads());
        a.put("headDim", config.headDim());
        a.put("vocabSize", config.vocabSize());
        a.put("maxPositionEmbeddings", config.maxPositionEmbeddings());
        a.put("tieWordEmbeddings", config.tieWordEmbeddings());
        if (config.torchDtype() != null) {
            a.put("torchDtype", config.torchDtype());
        }
        MoeConfig moe = config.moe();
        if (moe != null) {
            a.put("experts", moe.numExperts());
            a.put("expertsPerToken", moe.numExpertsPerToken());
            a.put("expertIntermediateSize", moe.expertIntermediateSize());
        }
        return a;
    }

    /** Every regular, non-hidden file below {@code dir}, by path relative to it, with size and SHA-256. */
    static List<ModelFile> files(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(Files::isRegularFile)
                    .filter(p -> !dir.relativize(p).toString().startsWith("."))
                    .sorted()
                    .toList();
        }
        List<ModelFile> files = new ArrayList<>(paths.size());
        for (Path p : paths) {
            files.add(new ModelFile(dir.relativize(p).toString().replace('\\', '/'), Files.size(p), Checksums.sha256(p)));
        }
        return files;
    }
}
