package dev.whittle.engine.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.whittle.engine.io.ModelFormatException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a model folder says about special tokens, gathered from the three places Hugging Face keeps it:
 * tokenizer_config.json ({@code add_bos_token}, {@code add_eos_token}, the bos/eos token strings),
 * config.json and generation_config.json ({@code bos_token_id}, {@code eos_token_id}, a number or a list).
 *
 * @param addBosToken tokenizer_config's {@code add_bos_token}, or null when it does not say
 * @param addEosToken tokenizer_config's {@code add_eos_token}, or null when it does not say
 * @param bosToken    the bos token text from tokenizer_config, or null
 * @param eosToken    the eos token text from tokenizer_config, or null
 * @param bosTokenId  generation_config's, else config's {@code bos_token_id}, or null
 * @param eosTokenIds every {@code eos_token_id} of generation_config and config (generation stops at any)
 */
record TokenizerSettings(Boolean addBosToken, Boolean addEosToken, String bosToken, String eosToken,
        Integer bosTokenId, Set<Integer> eosTokenIds) {

    private static final JsonMapper JSON = new JsonMapper();

    static TokenizerSettings read(Path dir) throws IOException {
        JsonNode tokenizerConfig = readJson(dir.resolve("tokenizer_config.json"));
        JsonNode generation = readJson(dir.resolve("generation_config.json"));
        JsonNode config = readJson(dir.resolve("config.json"));
        Integer bos = intOrNull(generation, "bos_token_id");
        if (bos == null) {
            bos = intOrNull(config, "bos_token_id");
        }
        Set<Integer> eos = new LinkedHashSet<>();
        eos.addAll(ints(generation, "eos_token_id"));
        eos.addAll(ints(config, "eos_token_id"));
        return new TokenizerSettings(boolOrNull(tokenizerConfig, "add_bos_token"),
                boolOrNull(tokenizerConfig, "add_eos_token"), tokenText(tokenizerConfig, "bos_token"),
                tokenText(tokenizerConfig, "eos_token"), bos, Set.copyOf(eos));
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new ModelFormatException(file, null, "not well-formed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Boolean boolOrNull(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isBoolean() ? v.booleanValue() : null;
    }

    private static Integer intOrNull(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isIntegralNumber() ? v.intValue() : null;
    }

    private static List<Integer> ints(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        List<Integer> out = new ArrayList<>();
        if (v != null && v.isIntegralNumber()) {
            out.add(v.intValue());
        } else if (v != null && v.isArray()) {
            v.forEach(e -> {
                if (e.isIntegralNumber()) {
                    out.add(e.intValue());
                }
            });
        }
        return out;
    }

    /** A token given as a string or as an AddedToken object {@code {"content": ...}}. */
    static String tokenText(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isString()) {
            return v.stringValue();
        }
        JsonNode content = v.get("content");
        return content != null && content.isString() ? content.stringValue() : null;
    }
}
