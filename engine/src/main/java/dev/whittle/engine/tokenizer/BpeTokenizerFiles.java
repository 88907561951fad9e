package dev.whittle.engine.tokenizer;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link BpeModel} as the Hugging Face tokenizer files: {@code tokenizer.json} (a BPE model with
 * ByteLevel pre-tokenizer and decoder, special tokens as added tokens), {@code tokenizer_config.json} and
 * {@code special_tokens_map.json}. Each file is written to a temporary name and moved into place.
 */
public final class BpeTokenizerFiles {

    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP_JSON = "special_tokens_map.json";

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private BpeTokenizerFiles() {
    }

    /**
     * @param addBosToken    whether encoding with special tokens puts bos in front (a TemplateProcessing post-processor)
     * @param modelMaxLength the context length recorded in tokenizer_config.json
     */
    public static void write(BpeModel model, Path directory, boolean addBosToken, int modelMaxLength) throws IOException {
        if (modelMaxLength < 1) {
            throw new IllegalArgumentException("modelMaxLength must be positive, got " + modelMaxLength);
        }
        Files.createDirectories(directory);
        writeJson(directory.resolve(TOKENIZER_JSON), tokenizerJson(model, addBosToken));
        writeJson(directory.resolve(TOKENIZER_CONFIG_JSON), tokenizerConfig(model, addBosToken, modelMaxLength));
        writeJson(directory.resolve(SPECIAL_TOKENS_MAP_JSON), specialTokensMap(model.specials()));
    }

    static Map<String, Object> tokenizerJson(BpeModel model, boolean addBosToken) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", addedTokens(model));
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel(true));
        root.put("post_processor", addBosToken ? prependBos(model) : byteLevel(false));
        root.put("decoder", byteLevel(true));

        Map<String, Object> bpe = new LinkedHashMap<>();
        bpe.put("type", "BPE");
        bpe.put("dropout", null);
        bpe.put("unk_token", null);
        bpe.put("continuing_subword_prefix", null);
        bpe.put("end_of_word_suffix", null);
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        // Encoding must be exactly "apply the merges by rank", never a whole-word vocabulary lookup.
        bpe.put("ignore_merges", false);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = model.tokens();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        bpe.put("vocab", vocab);
        // "left right" strings: byte-level tokens never hold a space (it is spelt U+0120), and every version of
        // the tokenizers library reads this form.
        bpe.put("merges", model.merges().stream().map(m -> m.left() + " " + m.right()).toList());
        root.put("model", bpe);
        return root;
    }

    private static List<Map<String, Object>> addedTokens(BpeModel model) {
        List<Map<String, Object>> added = new ArrayList<>();
        List<String> specials = model.specials().ordered();
        for (int id = 0; id < specials.size(); id++) {
            added.add(addedToken(id, specials.get(id)));
        }
        return added;
    }

    private static Map<String, Object> addedToken(int id, String content) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", true);
        return token;
    }

    /** No prefix space: a prefix space would change the text, and decode(encode(s)) must give s back. */
    private static Map<String, Object> byteLevel(boolean useRegex) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", false);
        node.put("use_regex", useRegex);
        return node;
    }

    private static Map<String, Object> prependBos(BpeModel model) {
        String bos = model.specials().bos();
        int bosId = model.tokens().indexOf(bos);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("type", "TemplateProcessing");
        node.put("single", List.of(special(bos), sequence("A")));
        node.put("pair", List.of(special(bos), sequence("A"), special(bos), sequence("B")));
        node.put("special_tokens", Map.of(bos, Map.of("id", bos, "ids", List.of(bosId), "tokens", List.of(bos))));
        return node;
    }

    private static Map<String, Object> special(String token) {
        return Map.of("SpecialToken", Map.of("id", token, "type_id", 0));
    }

    private static Map<String, Object> sequence(String which) {
        return Map.of("Sequence", Map.of("id", which, "type_id", 0));
    }

    static Map<String, Object> tokenizerConfig(BpeModel model, boolean addBosToken, int modelMaxLength) {
        BpeSpecialTokens specials = model.specials();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("add_bos_token", addBosToken);
        config.put("add_eos_token", false);
        config.put("add_prefix_space", false);
        // Decoding must return the text as it was; the clean-up would drop the space in "a ." and "do n't".
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", modelMaxLength);
        config.putAll(specialTokensMap(specials));
        Map<String, Object> decoder = new LinkedHashMap<>();
        List<String> ordered = specials.ordered();
        for (int id = 0; id < ordered.size(); id++) {
            Map<String, Object> entry = addedToken(id, ordered.get(id));
            entry.remove("id");
            decoder.put(String.valueOf(id), entry);
        }
        config.put("added_tokens_decoder", decoder);
        return config;
    }

    static Map<String, Object> specialTokensMap(BpeSpecialTokens specials) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("bos_token", specials.bos());
        map.put("eos_token", specials.eos());
        map.put("pad_token", specials.pad());
        map.put("unk_token", specials.unk());
        if (!specials.additional().isEmpty()) {
            map.put("additional_special_tokens", specials.additional());
        }
        return map;
    }

    private static void writeJson(Path target, Object value) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            JSON.writeValue(out, value);
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
