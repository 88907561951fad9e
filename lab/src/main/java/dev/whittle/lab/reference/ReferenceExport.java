package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.Folders;
import dev.whittle.engine.io.ModelFolderWriter;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a trained reference model as a Hugging Face folder: config.json (LlamaForCausalLM), model.safetensors in
 * F32 (a few million parameters are a few tens of MB, so nothing is lost to rounding), the tokenizer files,
 * generation_config.json, and, once evaluated, the model card with its loss curve and the scores as JSON.
 * The folder is assembled under a hidden sibling name and renamed into place, so readers see the old folder or
 * the new one, never a mix.
 */
public final class ReferenceExport {

    public static final String CARD = "README.md";
    public static final String CURVE = "loss-curve.png";
    public static final String SCORES = "eval-results.json";
    private static final JsonMapper JSON = new JsonMapper();

    private ReferenceExport() {
    }

    /** Writes the weights, config and tokenizer of {@code decoder} into a new folder {@code staging} (must not exist). */
    public static Path writeWeights(Decoder decoder, ModelConfig config, Tokenizer tokenizer, Path tokenizerDir,
                                    Path staging) throws IOException {
        ModelFolderWriter.to(staging).config(config).copyFilesFrom(tokenizerDir)
                .metadata(Map.of("format", "pt", "whittle", "reference-model"))
                .write(DecoderTensors.of(decoder, DType.F32));
        ObjectNode generation = JSON.createObjectNode();
        if (tokenizer.bosTokenId() != null) {
            generation.put("bos_token_id", tokenizer.bosTokenId());
        }
        if (!tokenizer.eosTokenIds().isEmpty()) {
            generation.put("eos_token_id", tokenizer.eosTokenIds().iterator().next());
        }
        generation.put("do_sample", false);
        generation.put("max_length", config.maxPositionEmbeddings());
        Files.writeString(staging.resolve("generation_config.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(generation) + "\n", StandardCharsets.UTF_8);
        return staging;
    }

    /** A fresh hidden sibling of {@code target} to assemble the folder in. */
    public static Path stagingFor(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        return absolute.resolveSibling("." + absolute.getFileName() + ".export-" + UUID.randomUUID());
    }

    /** Loads the staged folder as any model folder is loaded (what the evaluation runs on). */
    public static Decoder load(Path folder) throws IOException {
        return DecoderLoader.load(folder, Progress.NONE);
    }

    /** Adds the card, the curve and the scores to the staged folder. */
    public static void writeCard(Path staging, ModelCard card, List<LossLog.Row> losses) throws IOException {
        LossCurve.write(losses, "whittle-ref: training loss", staging.resolve(CURVE));
        Files.writeString(staging.resolve(CARD), card.markdown(CURVE), StandardCharsets.UTF_8);
        Files.writeString(staging.resolve(SCORES),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(card.scores()) + "\n", StandardCharsets.UTF_8);
    }

    /** Moves the staged folder to {@code target}, replacing what was there. */
    public static Path publish(Path staging, Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path old = absolute.resolveSibling("." + absolute.getFileName() + ".old-" + UUID.randomUUID());
        boolean replaced = Files.exists(absolute);
        if (replaced) {
            Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (replaced) {
                Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (replaced) {
            Folders.deleteRecursively(old);
        }
        return absolute;
    }
}
